// Bundles each entry point into ONE self-contained ES module for QuickJS.
// `std` and `os` are QuickJS's built-in modules and stay external.
import { build } from 'esbuild';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2020',
  platform: 'neutral',
  external: ['std', 'os'],
  legalComments: 'none',
  // Flash is small and qjs parses the whole file at every start. (No keepNames: its helper would
  // come before the imports, and qjs only takes a file as a module when it starts with them.)
  minify: true,
  logLevel: 'warning',
  define: { __MPWAN_VERSION__: JSON.stringify(version) },
};

// The rpcd plugin's method table, a module the plugin imports at run time (installed as
// /usr/share/mpwan/rpcd-methods.js) only for the calls that need it (src/rpc/main.ts). Built
// first: its `list` signature is computed here, once, and built into the plugin.
const methods = 'build/bundle/rpcd-methods.js';
await build({ ...common, entryPoints: ['src/rpc/dispatch.ts'], outfile: methods });
const { rpcList } = await import(`${pathToFileURL(methods)}?${Date.now()}`);

// Router bundles: installed as-is, so the first line is the interpreter.
const routerEntries = [
  { in: 'src/cli/main.ts', out: 'build/bundle/mpwan.js' },
  { in: 'src/rpc/main.ts', out: 'build/bundle/rpcd-mpwan.js', define: { __MPWAN_RPC_LIST__: JSON.stringify(JSON.stringify(rpcList())) } },
];

// Probes that let tests drive src/ modules under real qjs.
const testEntries = existsSync('test/qjs/entries')
  ? readdirSync('test/qjs/entries')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ in: `test/qjs/entries/${f}`, out: `build/test/${f.replace(/\.ts$/, '.js')}` }))
  : [];

await Promise.all([
  ...routerEntries.map((e) => build({
    ...common, define: { ...common.define, ...e.define }, entryPoints: [e.in], outfile: e.out, banner: { js: '#!/usr/bin/qjs' },
  })),
  ...testEntries.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out })),
]);
