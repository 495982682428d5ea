// Compiles the LuCI views (luci-app/luci-app-mpwan/ts/*.ts) into LuCI's class-file format
// and regenerates po/templates/mpwan.pot from their _() literals.
//
// luci.js does not load ES modules: it reads the leading 'require x' string literals,
// evaluates the file as the body of function(window, document, L, <one parameter per
// require>) and expects it to return a class. So every `import m from 'luci/<module>'`
// resolves to a stub that re-exports the factory parameter, esbuild bundles the rest
// (our own modules, and the pure src/ modules the views share with the router code) into
// one IIFE, and the file ends with `return <iife>.default`.
//
// The settings form's datatypes come from mpwan's option table (src/config/options.ts, the
// table the validator uses): this script calls its luciDatatypes() and hands the result to
// the views as the module 'mpwan-build:datatypes', so the built file carries the datatype
// strings as literals and the browser gets no copy of the table.
//
//   node scripts/build-luci.mjs [outdir]     (default build/luci)
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const APP = 'luci-app/luci-app-mpwan';
const VIEWS = ['status', 'settings', 'diagnostics'];
const outRoot = process.argv[2] ?? 'build/luci';
const viewDir = join(outRoot, 'htdocs/luci-static/resources/view/mpwan');

/** LuCI's parameter name for a required class: 'tools.widgets' -> 'widgets' via `as`. */
const ALIASES = { 'tools.widgets': 'widgets' };
const paramOf = (mod) => ALIASES[mod] ?? mod.replace(/[^a-zA-Z0-9_]/g, '_');

/** luciDatatypes() of src/config/options.ts, run in node (bundled to one ESM module first: it is TypeScript). */
async function optionDatatypes() {
  const r = await build({
    entryPoints: ['src/config/options.ts'], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning',
  });
  const url = `data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`;
  const datatypes = (await import(url)).luciDatatypes();
  // Checked once here so a bad table fails the build, not the settings page.
  for (const [section, options] of Object.entries(datatypes))
    for (const [option, dt] of Object.entries(options))
      if (typeof dt !== 'string' || dt === '') throw new Error(`luciDatatypes(): no datatype for ${section}.${option}`);
  return datatypes;
}

/** 'mpwan-build:<name>' imports: values computed here, inlined into the views as literals. */
const buildValues = (values) => ({
  name: 'mpwan-build',
  setup(b) {
    b.onResolve({ filter: /^mpwan-build:/ }, (a) => ({ path: a.path.slice('mpwan-build:'.length), namespace: 'mpwan-build' }));
    b.onLoad({ filter: /.*/, namespace: 'mpwan-build' }, (a) => {
      if (!(a.path in values)) throw new Error(`no build value '${a.path}'`);
      return { contents: `export default ${JSON.stringify(values[a.path])};`, loader: 'js' };
    });
  },
});

async function buildView(name, values) {
  const requires = [];
  const luciModules = {
    name: 'luci-modules',
    setup(b) {
      b.onResolve({ filter: /^luci\// }, (a) => ({ path: a.path.slice(5), namespace: 'luci' }));
      b.onLoad({ filter: /.*/, namespace: 'luci' }, (a) => {
        if (!requires.includes(a.path)) requires.push(a.path);
        return { contents: `export default ${paramOf(a.path)};`, loader: 'js' };
      });
    },
  };
  const r = await build({
    entryPoints: [join(APP, 'ts', `${name}.ts`)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'mpwanView',
    target: 'es2017',
    platform: 'browser',
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    plugins: [luciModules, buildValues(values)],
  });
  const header = ["'use strict';", ...requires.map((m) => `'require ${m}${ALIASES[m] ? ` as ${ALIASES[m]}` : ''}';`)];
  const text = `${header.join('\n')}\n\n${r.outputFiles[0].text}\nreturn mpwanView.default;\n`;
  // Fail the build, not the browser, when the result is not a valid factory body.
  new Function('window', 'document', 'L', ...requires.map(paramOf), text); // eslint-disable-line no-new-func
  const file = join(viewDir, `${name}.js`);
  writeFileSync(file, text);
  return { file, text };
}

/** JS string literal (as esbuild prints it) -> its value. */
function literalValue(lit) {
  if (lit[0] === '"') return JSON.parse(lit);
  return JSON.parse(`"${lit.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
}

const potEscape = (s) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');

const LIT = `("(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*')`;

/** The msgids of _('...') and N_(n, '...', '...') calls, with file:line references, in first-seen order. */
function writePot(views) {
  const msgs = new Map(); // msgid -> { plural, refs }
  const calls = [new RegExp(`\\b_\\(\\s*${LIT}\\s*[,)]`, 'g'), new RegExp(`\\bN_\\([^,()]+,\\s*${LIT}\\s*,\\s*${LIT}\\s*[,)]`, 'g')];
  for (const { file, text } of views) {
    const ref = `htdocs/luci-static/resources/view/mpwan/${file.split('/').pop()}`;
    for (const m of calls.flatMap((c) => [...text.matchAll(c)]).sort((a, b) => a.index - b.index)) {
      const id = literalValue(m[1]);
      const line = text.slice(0, m.index).split('\n').length;
      if (!msgs.has(id)) msgs.set(id, { plural: m[2] === undefined ? null : literalValue(m[2]), refs: [] });
      msgs.get(id).refs.push(`${ref}:${line}`);
    }
  }
  const out = ['msgid ""', 'msgstr "Content-Type: text/plain; charset=UTF-8"', ''];
  for (const [id, { plural, refs }] of msgs) {
    out.push(`#: ${refs.join(' ')}`, `msgid "${potEscape(id)}"`);
    out.push(...(plural === null ? ['msgstr ""'] : [`msgid_plural "${potEscape(plural)}"`, 'msgstr[0] ""', 'msgstr[1] ""']), '');
  }
  const pot = join(APP, 'po/templates/mpwan.pot');
  mkdirSync(join(APP, 'po/templates'), { recursive: true });
  writeFileSync(pot, out.join('\n'));
  return msgs.size;
}

mkdirSync(viewDir, { recursive: true });
const values = { datatypes: await optionDatatypes() };
const views = await Promise.all(VIEWS.map((v) => buildView(v, values)));
const n = writePot(views);
for (const v of views) console.log(`${v.file}: ${v.text.length} bytes`);
console.log(`${APP}/po/templates/mpwan.pot: ${n} strings`);
