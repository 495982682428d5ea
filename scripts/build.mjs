// Bundles each entry point into ONE self-contained ES module for QuickJS.
// `std` and `os` are QuickJS's built-in modules and stay external.
import { build } from 'esbuild';
import { readdirSync, existsSync, readFileSync } from 'node:fs';

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

// The rpcd plugin's `list` signature, computed here from the method table (run in node: it is
// TypeScript, bundled to one module first) and built into the plugin, which then answers
// `list` without loading the table.
async function rpcSignature() {
  const r = await build({ ...common, entryPoints: ['src/rpc/dispatch.ts'], write: false, minify: false, platform: 'node' });
  const url = `data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`;
  return JSON.stringify((await import(url)).rpcList());
}

// Router bundles: installed as-is, so the first line is the interpreter.
const routerEntries = [
  { in: 'src/cli/main.ts', out: 'build/bundle/mpwan.js' },
  { in: 'src/rpc/main.ts', out: 'build/bundle/rpcd-mpwan.js', define: { __MPWAN_RPC_LIST__: JSON.stringify(await rpcSignature()) } },
];
// Modules the router bundles import at run time (installed under /usr/share/mpwan/): the rpcd
// plugin loads its method table only for the calls that need it (src/rpc/main.ts).
const routerModules = [
  { in: 'src/rpc/full.ts', out: 'build/bundle/rpcd-methods.js' },
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
  ...[...routerModules, ...testEntries].map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out })),
]);
