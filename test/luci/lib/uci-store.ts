// rpcd's `uci` object over one directory of config files, for the LuCI tests: `get` answers
// what uci.js loads, `set`/`add`/`delete` stage changes, `apply` commits them (rewriting the
// file as `uci commit` does: comments are not kept) and runs the reload hook, as procd's
// reload trigger would.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUci } from '../../../src/config/uci-read.js';
import { quoteUci } from '../../../src/config/uci-edit.js';

type Values = Record<string, string | string[] | boolean | number>;
type Sections = Record<string, Values>;
type Change = (s: Sections) => void;

export const UBUS_OK = 0, UBUS_INVALID_ARGUMENT = 2, UBUS_NOT_FOUND = 4;

export class UciStore {
  private readonly pending = new Map<string, Change[]>();

  constructor(private readonly dir: string, private readonly onCommit: (config: string) => Promise<void>) {}

  /** The file as rpcd's `uci get` shows it: `.name`, `.type`, `.anonymous`, `.index` per section. */
  read(config: string): Sections {
    const { sections } = parseUci(readFileSync(join(this.dir, config), 'utf8'));
    const out: Sections = {};
    sections.forEach((s, i) => {
      const name = s.name ?? `cfg${String(i).padStart(6, '0')}`; // rpcd names anonymous sections cfgXXXXXX
      const v: Values = { '.anonymous': s.name === undefined, '.type': s.type, '.name': name, '.index': i };
      for (const [k, o] of s.options) v[k] = o.list ? o.values : o.values[0];
      out[name] = v;
    });
    return out;
  }

  private current(config: string): Sections {
    const s = this.read(config);
    for (const c of this.pending.get(config) ?? []) c(s);
    return s;
  }

  private stage(config: string, c: Change) {
    this.pending.set(config, [...(this.pending.get(config) ?? []), c]);
  }

  private render(s: Sections): string {
    const q = (v: string) => quoteUci(v);
    return Object.values(s).sort((a, b) => Number(a['.index']) - Number(b['.index'])).map((v) => {
      const head = `config ${v['.type']}${v['.anonymous'] ? '' : ` ${q(String(v['.name']))}`}`;
      const opts = Object.entries(v).filter(([k]) => !k.startsWith('.')).flatMap(([k, x]) =>
        Array.isArray(x) ? x.map((i) => `\tlist ${k} ${q(i)}`) : [`\toption ${k} ${q(String(x))}`]);
      return [head, ...opts].join('\n') + '\n';
    }).join('\n');
  }

  /** One `uci` method call; returns [ubus status, data?]. */
  async call(method: string, a: Record<string, any>): Promise<[number, unknown?]> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const config = String(a.config ?? '');
    if (['get', 'set', 'add', 'delete'].includes(method) && !/^[a-z0-9_-]+$/.test(config)) return [UBUS_INVALID_ARGUMENT];
    switch (method) {
      case 'get': {
        const s = this.current(config);
        return a.section ? (s[a.section] ? [UBUS_OK, { values: s[a.section] }] : [UBUS_NOT_FOUND]) : [UBUS_OK, { values: s }];
      }
      case 'set':
        this.stage(config, (s) => { if (s[a.section]) Object.assign(s[a.section], a.values); });
        return [UBUS_OK];
      case 'add': {
        const name = a.name ?? `cfg${Date.now().toString(16).slice(-6)}`;
        this.stage(config, (s) => { s[name] = { '.anonymous': !a.name, '.type': a.type, '.name': name, '.index': Object.keys(s).length, ...(a.values ?? {}) }; });
        return [UBUS_OK, { section: name }];
      }
      case 'delete':
        this.stage(config, (s) => {
          if (!s[a.section]) return;
          if (a.option) delete s[a.section][a.option];
          else delete s[a.section];
        });
        return [UBUS_OK];
      case 'apply':
        for (const c of [...this.pending.keys()]) {
          writeFileSync(join(this.dir, c), this.render(this.current(c)));
          this.pending.delete(c);
          await this.onCommit(c);
        }
        return [UBUS_OK];
      case 'confirm':
      case 'rollback':
        return [UBUS_OK];
      case 'changes':
        return [UBUS_OK, { changes: Object.fromEntries([...this.pending].map(([k, v]) => [k, v.length])) }];
      default:
        return [UBUS_NOT_FOUND];
    }
  }
}
