// The web side of the LuCI tests, standing in for uhttpd and LuCI's dispatcher: the stand-in
// runtime (test/luci/www), the BUILT view files, a page per view as LuCI's templates make it,
// /ubus as uhttpd-mod-ubus serves it (JSON-RPC, single or batched, with the session's ACL
// checked per call), rpcd's `session access` and `uci` objects, the real mpwan rpcd plugin
// behind `mpwan`, and the admin/uci apply/confirm endpoints ui.changes posts to.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Rpcd } from '../../netns/lib/rpcd.js';
import { UBUS, UciStore } from './uci-store.js';

const REPO = new URL('../../..', import.meta.url).pathname;
export const VIEW_DIR = join(REPO, 'build/luci/htdocs/luci-static/resources/view/mpwan');
const ACL_FILE = join(REPO, 'luci-app/luci-app-mpwan/root/usr/share/rpcd/acl.d/luci-app-mpwan.json');
const WWW = join(REPO, 'test/luci/www');
const RESOURCES = '/luci-static/resources/';

/** ubus status names the plugin runner reports -> libubus codes. */
const PLUGIN_STATUS = { invalid_argument: 2, no_data: 5, timeout: 7 } as const;
/** uhttpd-mod-ubus JSON-RPC errors. */
const ERR = {
  parse: { code: -32700, message: 'Parse error' },
  invalid: { code: -32600, message: 'Invalid request' },
  method: { code: -32601, message: 'Method not found' },
  object: { code: -32000, message: 'Object not found' },
  denied: { code: -32002, message: 'Access denied' },
};

interface Grant { ubus?: Record<string, string[]>; uci?: string[] }
type Acl = Record<string, { read?: Grant; write?: Grant }>;

/** A login: the app's ACL groups granted read, or read and write. */
export interface Session { sid: string; token: string; write: boolean }

export interface UbusLogEntry { sid: string; object: string; method: string; args: unknown; status: number | string }
/** One HTTP request: path without query, and for /ubus the number of JSON-RPC messages (null: not a batch). */
export interface HttpLogEntry { method: string; path: string; batch: number | null }

type JsonRpc = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };

export interface PageOptions { readonly?: boolean; dark?: boolean; pollinterval?: number }

/**
 * What LuCI's default theme (luci-theme-bootstrap) sets that the views must live with: its font,
 * its fixed-width select (210 px), and its colours, light and (data-darkmode) dark.
 */
const THEME = `body{font:13px/18px "Helvetica Neue",Helvetica,Arial,sans-serif;background:#fff;color:#404040}
select{box-sizing:border-box;width:210px;height:30px;padding:4px;font-size:13px;border:1px solid #ccc}
[data-darkmode="true"] body{background:#222;color:#bfbfbf}[data-darkmode="true"] select{background:#222;color:#bfbfbf}
`;

export class LuciServer {
  private server: Server | null = null;
  private readonly sessions = new Map<string, Session>();
  private readonly acl: Acl = JSON.parse(readFileSync(ACL_FILE, 'utf8'));
  /** Answers to force on the next call of object/method (a ubus status or a JSON-RPC error). */
  private readonly failures = new Map<string, number | { code: number; message: string }>();
  /** The pending rollback's confirm token (LuCI keeps it in the rpcd session store). */
  private rollbackToken: string | null = null;
  readonly log: UbusLogEntry[] = [];
  readonly http: HttpLogEntry[] = [];
  readonly uci: UciStore;
  /** Rewrites plugin replies before they reach the page (for fields a plugin may not send yet). */
  transform: ((method: string, data: Record<string, unknown>) => Record<string, unknown>) | null = null;
  port = 0;

  constructor(private readonly rpcd: Rpcd, uciDir: string, onCommit: (config: string) => Promise<void>) {
    this.uci = new UciStore(uciDir, onCommit, (sid, config, fn) => this.uciAccess(sid, config, fn));
  }

  /** rpcd `session login`: a fresh session id and CSRF token. */
  login(write = true): Session {
    const s = { sid: randomBytes(16).toString('hex'), token: randomBytes(16).toString('hex'), write };
    this.sessions.set(s.sid, s);
    return s;
  }

  failNext(object: string, method: string, answer: number | { code: number; message: string }) {
    this.failures.set(`${object}.${method}`, answer);
  }

  /**
   * A view's page; `readonly` logs in a user whose ACL grants the app read only; `dark` turns the
   * theme's dark mode on; `pollinterval` is LuCI's poll interval in seconds (2 unless given).
   */
  url(view: string, opts: PageOptions = {}): string {
    const q = new URLSearchParams({
      ...(opts.readonly ? { acl: 'read' } : {}), ...(opts.dark ? { dark: '1' } : {}), ...(opts.pollinterval ? { poll: String(opts.pollinterval) } : {}),
    }).toString();
    return `http://127.0.0.1:${this.port}/cgi-bin/luci/admin/network/mpwan/${view}${q ? `?${q}` : ''}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => { this.handle(req, res).catch((e) => { res.writeHead(500); res.end(String(e)); }); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.uci.close();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  /** The session's ubus grants, as rpcd's session ACL: the app's groups, plus `session access`
   *  and the `uci` object, which luci-base grants every login (rpcd then checks the config). */
  private ubusAccess(s: Session, object: string, method: string): boolean {
    if (object === 'session' && method === 'access') return true;
    if (object === 'uci') return true;
    return Object.values(this.acl).some((g) => [g.read, s.write ? g.write : undefined].some((x) => x?.ubus?.[object]?.includes(method)));
  }

  private uciAccess(sid: string, config: string, fn: 'read' | 'write'): boolean {
    const s = this.sessions.get(sid);
    if (!s) return false;
    if (config === 'luci' && fn === 'read') return true;
    const granted = (x?: Grant) => (x?.uci ?? []).includes(config);
    return Object.values(this.acl).some((g) => (s.write && granted(g.write)) || (fn === 'read' && granted(g.read)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    this.http.push({ method: req.method ?? 'GET', path: url.pathname, batch: null });
    const send = (code: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    };
    let body = '';
    for await (const chunk of req) body += chunk;

    if (req.method === 'GET' && url.pathname.startsWith(RESOURCES)) {
      const rel = normalize(url.pathname.slice(RESOURCES.length));
      if (rel.startsWith('..')) return send(404, 'text/plain', 'not found');
      const file = rel.startsWith('view/mpwan/') ? join(VIEW_DIR, rel.slice('view/mpwan/'.length)) : join(WWW, rel);
      try { return send(200, 'text/javascript', readFileSync(file)); } catch { return send(404, 'text/plain', 'not found'); }
    }
    const page = /^\/cgi-bin\/luci\/admin\/network\/mpwan\/([a-z]+)$/.exec(url.pathname);
    if (page && req.method === 'GET') {
      const q = url.searchParams;
      return send(200, 'text/html', this.page(page[1], this.login(q.get('acl') !== 'read'), { dark: q.get('dark') === '1', pollinterval: Number(q.get('poll')) || 2 }));
    }
    if (url.pathname.startsWith('/ubus/') && req.method === 'POST') {
      let msg: unknown;
      try { msg = JSON.parse(body); } catch { return send(200, 'application/json', JSON.stringify({ jsonrpc: '2.0', id: null, error: ERR.parse })); }
      this.http[this.http.length - 1].batch = Array.isArray(msg) ? msg.length : null;
      const reply = Array.isArray(msg) ? await Promise.all(msg.map((m) => this.jsonRpc(m as JsonRpc))) : await this.jsonRpc(msg as JsonRpc);
      return send(200, 'application/json', JSON.stringify(reply));
    }
    const uciAction = /^\/cgi-bin\/luci\/admin\/uci\/([a-z_]+)$/.exec(url.pathname);
    if (uciAction && req.method === 'POST') {
      const r = await this.uciController(uciAction[1], new URLSearchParams(body));
      return send(r.status, r.json === undefined ? 'text/plain' : 'application/json', r.json === undefined ? (r.text ?? '') : JSON.stringify(r.json), r.headers);
    }
    send(404, 'text/plain', 'not found');
  }

  /** What LuCI's header/view templates produce: env for `new LuCI()`, then ui.instantiateView. */
  private page(view: string, s: Session, o: { dark: boolean; pollinterval: number }): string {
    const env = {
      sessionid: s.sid, token: s.token, ubuspath: '/ubus/', scriptname: '/cgi-bin/luci', resource: '/luci-static/resources',
      media: '/luci-static/bootstrap', documentroot: '/www', requestpath: ['admin', 'network', 'mpwan', view],
      dispatchpath: ['admin', 'network', 'mpwan', view], nodespec: { satisfied: true, readonly: !s.write },
      pollinterval: o.pollinterval, rpctimeout: 20,
      // luci.apply.*: rollback window and the apply dialog's waits (4 s and 1.5 s by default,
      // shortened so a test does not sit through them).
      apply_rollback: 90, apply_holdoff: 0.25, apply_timeout: 5, apply_display: 0.25,
    };
    return `<!DOCTYPE html><html${o.dark ? ' data-darkmode="true"' : ''}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mpwan ${view}</title><style>${THEME}body{margin:0 auto;max-width:1100px;padding:0 1em}
.alert-message{border:1px solid #999;padding:.5em;margin:.5em 0}.alert-message.error,.alert-message.danger{border-color:#c62828;background:#fdecea}
.cbi-input-invalid{border-color:red}#modal_overlay{display:none}.modal-overlay-active #modal_overlay{display:block;position:fixed;inset:0;background:#0006}
.modal-overlay-active .modal{background:#fff;margin:10% auto;max-width:40em;padding:1em}[data-tab-active="false"]{display:none}
.cbi-tabmenu{display:flex;gap:1em;list-style:none;padding:0}.cbi-section-table-row[data-title]::before{content:attr(data-title);display:table-cell;font-weight:bold}
.hidden{display:none}</style></head>
<body data-page="admin-network-mpwan-${view}"><header><span id="indicators"></span></header>
<script src="/luci-static/resources/luci.js"></script>
<script>L = new LuCI(${JSON.stringify(env)});</script>
<div id="maincontent"><div id="view"><div class="spinning">Loading view…</div>
<script>L.require('ui').then(function(ui) { ui.instantiateView(${JSON.stringify(`mpwan/${view}`)}); });</script>
</div></div></body></html>`;
  }

  private async jsonRpc(msg: JsonRpc): Promise<object> {
    const reply = (r: object) => ({ jsonrpc: '2.0', id: msg?.id ?? null, ...r });
    if (!msg || typeof msg !== 'object' || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string') return reply({ error: ERR.invalid });
    if (msg.method === 'list') return reply({ result: {} });
    if (msg.method !== 'call' || !Array.isArray(msg.params) || msg.params.length < 3) return reply({ error: ERR.method });
    const [sid, object, method, rawArgs] = msg.params as [string, string, string, unknown];
    const args = (rawArgs && typeof rawArgs === 'object' ? rawArgs : {}) as Record<string, unknown>;
    const entry: UbusLogEntry = { sid, object, method, args, status: 0 };
    this.log.push(entry);
    const forced = this.failures.get(`${object}.${method}`);
    if (forced !== undefined) {
      this.failures.delete(`${object}.${method}`);
      entry.status = typeof forced === 'number' ? forced : 'error';
      return reply(typeof forced === 'number' ? { result: [forced] } : { error: forced });
    }
    const s = this.sessions.get(sid);
    if (!s || !this.ubusAccess(s, object, method)) { entry.status = 'denied'; return reply({ error: ERR.denied }); }
    if (object === 'session' && method === 'access') {
      const ok = args.scope === 'uci' ? this.uciAccess(sid, String(args.object), args.function === 'write' ? 'write' : 'read')
        : this.ubusAccess(s, String(args.object), String(args.function));
      return reply({ result: [0, { access: ok }] });
    }
    if (object === 'uci') {
      const [status, data] = await this.uci.call(sid, method, args);
      entry.status = status;
      return reply({ result: data === undefined ? [status] : [status, data] });
    }
    if (object !== 'mpwan') { entry.status = 'no object'; return reply({ error: ERR.object }); }
    // rpcd adds the caller's session to the arguments.
    const r = await this.rpcd.callAsync(method, JSON.stringify({ ...args, ubus_rpc_session: sid }));
    entry.status = r.status;
    if (r.status !== 'ok') return reply({ result: [PLUGIN_STATUS[r.status]] });
    return reply({ result: [0, this.transform ? this.transform(method, r.data) : r.data] });
  }

  /** LuCI's admin/uci controller: apply with rollback answers a confirm token, confirm needs it;
   *  ubus "No data" is 204, "Permission denied" 403. The session comes as the `sid` field. */
  private async uciController(action: string, form: URLSearchParams): Promise<{ status: number; text?: string; json?: unknown; headers?: Record<string, string> }> {
    const httpOf = (st: number) => (st === UBUS.OK ? 200 : st === UBUS.NO_DATA ? 204 : st === UBUS.PERMISSION_DENIED ? 403 : 500);
    if (action === 'confirm') {
      if (!this.rollbackToken || form.get('token') !== this.rollbackToken) return { status: 403, text: 'Forbidden' };
      const [st] = await this.uci.call('', 'confirm', {});
      if (st === UBUS.OK) this.rollbackToken = null;
      return { status: httpOf(st), text: st === UBUS.OK ? 'OK' : '' };
    }
    const sid = form.get('sid') ?? '';
    if (!this.sessions.has(sid)) return { status: 403, text: 'Forbidden', headers: { 'X-LuCI-Login-Required': 'yes' } };
    if (action === 'apply_rollback') {
      const [st] = await this.uci.call(sid, 'apply', { rollback: true, timeout: 90 });
      if (st !== UBUS.OK) return { status: httpOf(st) };
      this.rollbackToken = randomBytes(16).toString('hex');
      return { status: 200, json: { token: this.rollbackToken } };
    }
    if (action === 'apply_unchecked') {
      const [st] = await this.uci.call(sid, 'apply', { rollback: false });
      return { status: st === UBUS.OK || st === UBUS.NO_DATA ? 204 : httpOf(st) };
    }
    if (action === 'revert') {
      const [, data] = await this.uci.call(sid, 'changes', {});
      for (const config of Object.keys((data as { changes: object }).changes)) await this.uci.call(sid, 'revert', { config });
      return { status: 200, text: 'OK' };
    }
    return { status: 404, text: 'not found' };
  }
}
