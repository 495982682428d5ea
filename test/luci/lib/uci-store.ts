// rpcd's `uci` object (rpcd uci.c) over one directory of config files, for the LuCI tests.
// As in rpcd, each session stages its edits as delta records (libuci's savedir per session):
// `get` shows the file with the session's deltas applied, `set` records only what differs
// (rpc_uci_merge_set), `delete` only options that exist, `changes` lists the records, `apply`
// commits the session's configs (rewriting the file as `uci commit` does: comments are lost),
// fires the reload hook (procd's config.change trigger) and, with rollback, restores the old
// files unless `confirm` comes within the timeout.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUci } from '../../../src/config/uci-read.js';
import { quoteUci } from '../../../src/config/uci-edit.js';

type Value = string | string[];
type Section = Record<string, Value | boolean | number>;
type Sections = Record<string, Section>;
/** A libuci delta as `uci changes` shows it: [op, section, option or type?, value?]. */
export type ChangeRecord = [string, string, ...string[]];

/** libubus status codes. */
export const UBUS = { OK: 0, INVALID_ARGUMENT: 2, NOT_FOUND: 4, NO_DATA: 5, PERMISSION_DENIED: 6 } as const;

type Args = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : null);

/** Applies one delta record to parsed sections (libuci's uci_parse_delta_line). */
function replay(s: Sections, [op, sid, a, b]: ChangeRecord): void {
  switch (op) {
    case 'add': s[sid] = { '.anonymous': true, '.type': a, '.name': sid, '.index': Object.keys(s).length }; break;
    case 'set':
      if (b === undefined) { if (!s[sid]) s[sid] = { '.anonymous': false, '.type': a, '.name': sid, '.index': Object.keys(s).length }; }
      else if (s[sid]) s[sid][a] = b;
      break;
    case 'list-add':
      if (s[sid]) { const cur = s[sid][a]; s[sid][a] = [...(Array.isArray(cur) ? cur : typeof cur === 'string' ? [cur] : []), b]; }
      break;
    case 'remove':
      if (a === undefined) delete s[sid];
      else if (s[sid]) delete s[sid][a];
      break;
    case 'order': if (s[sid]) s[sid]['.index'] = Number(a) - 0.5; break;
  }
}

export class UciStore {
  /** session id -> config -> delta records. */
  private readonly deltas = new Map<string, Map<string, ChangeRecord[]>>();
  private applying: { snapshot: Map<string, string>; timer: NodeJS.Timeout } | null = null;
  private anonCount = 0;

  /** `access(sid, config, 'read' | 'write')`: the session's uci grants. */
  constructor(private readonly dir: string, private readonly onCommit: (config: string) => Promise<void>,
    private readonly access: (sid: string, config: string, fn: 'read' | 'write') => boolean) {}

  private file(config: string) { return join(this.dir, config); }

  /** The committed file as rpcd's `uci get` shows it: .anonymous, .type, .name, .index per section. */
  private committed(config: string): Sections {
    const { sections } = parseUci(readFileSync(this.file(config), 'utf8'));
    const out: Sections = {};
    sections.forEach((s, i) => {
      const name = s.name ?? `cfg${i.toString(16).padStart(6, '0')}`; // libuci names anonymous sections cfgXXXXXX
      const v: Section = { '.anonymous': s.name === undefined, '.type': s.type, '.name': name, '.index': i };
      for (const [k, o] of s.options) v[k] = o.list ? o.values : o.values[0];
      out[name] = v;
    });
    return out;
  }

  private staged(sid: string, config: string): ChangeRecord[] {
    return this.deltas.get(sid)?.get(config) ?? [];
  }

  /** The file plus the session's deltas, indexes renumbered. */
  private current(sid: string, config: string): Sections {
    const s = this.committed(config);
    for (const d of this.staged(sid, config)) replay(s, d);
    Object.values(s).sort((x, y) => Number(x['.index']) - Number(y['.index'])).forEach((v, i) => { v['.index'] = i; });
    return s;
  }

  private record(sid: string, config: string, d: ChangeRecord) {
    if (!this.deltas.has(sid)) this.deltas.set(sid, new Map());
    const m = this.deltas.get(sid)!;
    m.set(config, [...(m.get(config) ?? []), d]);
  }

  private render(s: Sections): string {
    return Object.values(s).sort((a, b) => Number(a['.index']) - Number(b['.index'])).map((v) => {
      const head = `config ${v['.type']}${v['.anonymous'] ? '' : ` ${quoteUci(String(v['.name']))}`}`;
      const opts = Object.entries(v).filter(([k]) => !k.startsWith('.')).flatMap(([k, x]) =>
        Array.isArray(x) ? x.map((i) => `\tlist ${k} ${quoteUci(i)}`) : [`\toption ${k} ${quoteUci(String(x))}`]);
      return [head, ...opts].join('\n') + '\n';
    }).join('\n');
  }

  private async commit(sid: string, config: string) {
    writeFileSync(this.file(config), this.render(this.current(sid, config)));
    this.deltas.get(sid)?.delete(config);
    await this.onCommit(config);
  }

  /** rpc_uci_merge_set: a list replaces the option (remove + list-add); a string is set only when it differs. */
  private mergeSet(sid: string, config: string, section: string, opt: string, v: unknown) {
    const cur = this.current(sid, config)[section];
    if (!cur) return;
    if (Array.isArray(v)) {
      if (opt in cur) this.record(sid, config, ['remove', section, opt]);
      for (const item of v) { const s = str(item); if (s !== null) this.record(sid, config, ['list-add', section, opt, s]); }
      return;
    }
    const s = str(v);
    if (Array.isArray(cur[opt])) {
      this.record(sid, config, ['remove', section, opt]);
      if (s !== null) this.record(sid, config, ['set', section, opt, s]);
    }
    else if (s !== null && cur[opt] !== s) this.record(sid, config, ['set', section, opt, s]);
  }

  /** The config file as committing session `sid`'s changes would write it. */
  preview(sid: string, config: string): string {
    return this.render(this.current(sid, config));
  }

  /** One `uci` method call for session `sid`; returns [ubus status, reply?]. */
  async call(sid: string, method: string, a: Args): Promise<[number, unknown?]> {
    const config = typeof a.config === 'string' ? a.config : null;
    const known = (c: string) => /^[a-z0-9_-]+$/.test(c) && (() => { try { readFileSync(this.file(c)); return true; } catch { return false; } })();
    switch (method) {
      case 'get': {
        if (!config) return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'read')) return [UBUS.PERMISSION_DENIED];
        if (!known(config)) return [UBUS.NOT_FOUND];
        const s = this.current(sid, config);
        if (typeof a.section === 'string') return s[a.section] ? [UBUS.OK, { values: s[a.section] }] : [UBUS.NOT_FOUND];
        return [UBUS.OK, { values: s }];
      }
      case 'set': {
        if (!config || typeof a.values !== 'object' || a.values === null || typeof a.section !== 'string') return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'write')) return [UBUS.PERMISSION_DENIED];
        if (!known(config)) return [UBUS.NOT_FOUND];
        for (const [k, v] of Object.entries(a.values)) this.mergeSet(sid, config, a.section, k, v);
        return [UBUS.OK];
      }
      case 'add': {
        if (!config || typeof a.type !== 'string') return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'write')) return [UBUS.PERMISSION_DENIED];
        let name: string;
        if (typeof a.name === 'string') { name = a.name; this.record(sid, config, ['set', name, a.type]); }
        else { name = `cfg${(0x100000 + ++this.anonCount).toString(16)}`; this.record(sid, config, ['add', name, a.type]); }
        for (const [k, v] of Object.entries((a.values ?? {}) as Args)) this.mergeSet(sid, config, name, k, v);
        return [UBUS.OK, { section: name }];
      }
      case 'delete': {
        if (!config || typeof a.section !== 'string') return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'write')) return [UBUS.PERMISSION_DENIED];
        const cur = this.current(sid, config)[a.section];
        if (!cur) return [UBUS.OK];
        const opts = Array.isArray(a.options) ? a.options : typeof a.option === 'string' ? [a.option] : null;
        if (opts === null) this.record(sid, config, ['remove', a.section]);
        else for (const o of opts) if (typeof o === 'string' && o in cur && !o.startsWith('.')) this.record(sid, config, ['remove', a.section, o]);
        return [UBUS.OK];
      }
      case 'order': {
        if (!config || !Array.isArray(a.sections)) return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'write')) return [UBUS.PERMISSION_DENIED];
        a.sections.forEach((s, i) => { if (typeof s === 'string') this.record(sid, config, ['order', s, String(i + 1)]); });
        return [UBUS.OK];
      }
      case 'changes': {
        if (config) {
          if (!this.access(sid, config, 'read')) return [UBUS.PERMISSION_DENIED];
          return [UBUS.OK, { changes: this.staged(sid, config) }];
        }
        const all = Object.fromEntries([...(this.deltas.get(sid) ?? [])].filter(([c, d]) => d.length && this.access(sid, c, 'read')));
        return [UBUS.OK, { changes: all }];
      }
      case 'revert': {
        if (!config) return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'write')) return [UBUS.PERMISSION_DENIED];
        this.deltas.get(sid)?.delete(config);
        return [UBUS.OK];
      }
      case 'commit': {
        if (!config) return [UBUS.INVALID_ARGUMENT];
        if (!this.access(sid, config, 'write')) return [UBUS.PERMISSION_DENIED];
        await this.commit(sid, config);
        return [UBUS.OK];
      }
      case 'apply': return this.apply(sid, a.rollback === true, typeof a.timeout === 'number' ? a.timeout : 30);
      case 'confirm': {
        if (!this.applying) return [UBUS.NO_DATA];
        clearTimeout(this.applying.timer);
        this.applying = null;
        return [UBUS.OK];
      }
      case 'rollback': {
        if (!this.applying) return [UBUS.NO_DATA];
        await this.rollback();
        return [UBUS.OK];
      }
      default:
        return [UBUS.NOT_FOUND];
    }
  }

  /** rpc_uci_apply: commits every config the session changed; nothing staged is NO_DATA. */
  private async apply(sid: string, rollback: boolean, timeout: number): Promise<[number]> {
    if (this.applying && rollback) return [UBUS.PERMISSION_DENIED];
    if (this.applying) return [UBUS.OK];
    const configs = [...(this.deltas.get(sid) ?? [])].filter(([, d]) => d.length).map(([c]) => c);
    if (!configs.length) return [UBUS.NO_DATA];
    if (configs.some((c) => !this.access(sid, c, 'write'))) return [UBUS.PERMISSION_DENIED];
    const snapshot = new Map(configs.map((c) => [c, readFileSync(this.file(c), 'utf8')]));
    for (const c of configs) await this.commit(sid, c);
    if (rollback) {
      const timer = setTimeout(() => { void this.rollback(); }, timeout * 1000);
      timer.unref();
      this.applying = { snapshot, timer };
    }
    return [UBUS.OK];
  }

  private async rollback() {
    const a = this.applying;
    if (!a) return;
    clearTimeout(a.timer);
    this.applying = null;
    for (const [c, text] of a.snapshot) {
      writeFileSync(this.file(c), text);
      await this.onCommit(c);
    }
  }

  /** Stops a pending rollback timer (end of the test run). */
  close() {
    if (this.applying) clearTimeout(this.applying.timer);
    this.applying = null;
  }
}
