// Replaced at build time from package.json (see scripts/build.mjs).
declare const __MPWAN_VERSION__: string | undefined;
export const VERSION: string = typeof __MPWAN_VERSION__ === 'string' ? __MPWAN_VERSION__ : '0.0.0-dev';
