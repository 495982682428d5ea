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
//   node scripts/build-luci.mjs [outdir]     (default build/luci)
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const APP = 'luci-app/luci-app-mpwan';
const VIEWS = ['status', 'settings', 'diagnostics'];
const outRoot = process.argv[2] ?? 'build/luci';
const viewDir = join(outRoot, 'htdocs/luci-static/resources/view/mpwan');

/** LuCI's parameter name for a required class: 'tools.widgets' -> 'widgets' via `as`. */
const ALIASES = { 'tools.widgets': 'widgets' };
const paramOf = (mod) => ALIASES[mod] ?? mod.replace(/[^a-zA-Z0-9_]/g, '_');

async function buildView(name) {
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
    plugins: [luciModules],
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

/** The msgids of _('...') calls, with file:line references, in first-seen order. */
function writePot(views) {
  const msgs = new Map();
  const call = /\b_\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]/g;
  for (const { file, text } of views) {
    const ref = `htdocs/luci-static/resources/view/mpwan/${file.split('/').pop()}`;
    for (const m of text.matchAll(call)) {
      const id = literalValue(m[1]);
      const line = text.slice(0, m.index).split('\n').length;
      if (!msgs.has(id)) msgs.set(id, []);
      msgs.get(id).push(`${ref}:${line}`);
    }
  }
  const out = ['msgid ""', 'msgstr "Content-Type: text/plain; charset=UTF-8"', ''];
  for (const [id, refs] of msgs) out.push(`#: ${refs.join(' ')}`, `msgid "${potEscape(id)}"`, 'msgstr ""', '');
  const pot = join(APP, 'po/templates/mpwan.pot');
  mkdirSync(join(APP, 'po/templates'), { recursive: true });
  writeFileSync(pot, out.join('\n'));
  return msgs.size;
}

mkdirSync(viewDir, { recursive: true });
const views = await Promise.all(VIEWS.map(buildView));
const n = writePot(views);
for (const v of views) console.log(`${v.file}: ${v.text.length} bytes`);
console.log(`${APP}/po/templates/mpwan.pot: ${n} strings`);
