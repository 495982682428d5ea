// The web side of the LuCI tests: serves the stand-in luci.js, the BUILT view files, a page
// per view, and a /ubus JSON-RPC endpoint as uhttpd-mod-ubus has it. `call` on `mpwan` runs
// the real installed rpcd plugin in the router namespace (test/netns/lib/rpcd.ts) after the
// session and ACL checks rpcd makes; `uci` goes to a UciStore on the router's config dir.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Rpcd } from '../../netns/lib/rpcd.js';
import type { UciStore } from './uci-store.js';

const REPO = new URL('../../..', import.meta.url).pathname;
export const VIEW_DIR = join(REPO, 'build/luci/htdocs/luci-static/resources/view/mpwan');
const ACL_FILE = join(REPO, 'luci-app/luci-app-mpwan/root/usr/share/rpcd/acl.d/luci-app-mpwan.json');
const STAND_IN = join(REPO, 'test/luci/www/luci.js');

/** ubus status codes (libubus) and JSON-RPC errors (uhttpd ubus.c) the endpoint answers with. */
const UBUS = { invalid_argument: 2, no_data: 5, permission_denied: 6, timeout: 7 } as const;
const ACCESS_DENIED = { code: -32002, message: 'Access denied' };

interface Grant { ubus?: Record<string, string[]>; uci?: string[] }
type Acl = Record<string, { read?: Grant; write?: Grant }>;

function allowed(acl: Acl, object: string, method: string): boolean {
  return Object.values(acl).some((g) => [g.read, g.write].some((x) => x?.ubus?.[object]?.includes(method)));
}

/** rpcd's uci object checks the config against the session's uci grants (read for get). */
function uciAllowed(acl: Acl, method: string, config: unknown): boolean {
  if (['apply', 'confirm', 'rollback', 'changes'].includes(method)) return true;
  const grant = (x?: Grant) => typeof config === 'string' && (x?.uci ?? []).includes(config);
  return Object.values(acl).some((g) => grant(g.write) || (method === 'get' && grant(g.read)));
}

export interface UbusLogEntry { object: string; method: string; args: unknown; status: number | string }

export class LuciServer {
  private server: Server | null = null;
  private readonly sessions = new Set<string>();
  private readonly acl: Acl = JSON.parse(readFileSync(ACL_FILE, 'utf8'));
  /** Answers to force on the next call of object/method (a ubus status or a JSON-RPC error). */
  private readonly failures = new Map<string, number | { code: number; message: string }>();
  readonly log: UbusLogEntry[] = [];
  /** Rewrites plugin replies before they reach the page (for fields a plugin may not send yet). */
  transform: ((method: string, data: Record<string, unknown>) => Record<string, unknown>) | null = null;
  port = 0;

  constructor(private readonly rpcd: Rpcd, private readonly uci: UciStore) {}

  /** The rpcd session login stand-in: a fresh session id, as `session login` returns. */
  login(): string {
    const sid = randomBytes(16).toString('hex');
    this.sessions.add(sid);
    return sid;
  }

  logout(sid: string) { this.sessions.delete(sid); }

  failNext(object: string, method: string, answer: number | { code: number; message: string }) {
    this.failures.set(`${object}.${method}`, answer);
  }

  url(view: string): string { return `http://127.0.0.1:${this.port}/cgi-bin/luci/admin/network/mpwan/${view}`; }

  async start(): Promise<void> {
    this.server = createServer((req, res) => { this.handle(req, res).catch((e) => { res.writeHead(500); res.end(String(e)); }); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, type: string, body: string | Buffer) => { res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' }); res.end(body); };
    if (url.pathname === '/luci-static/resources/luci.js') return send(200, 'text/javascript', readFileSync(STAND_IN));
    const view = /^\/luci-static\/resources\/view\/mpwan\/([a-z]+)\.js$/.exec(url.pathname);
    if (view) {
      try { return send(200, 'text/javascript', readFileSync(join(VIEW_DIR, `${view[1]}.js`))); } catch { return send(404, 'text/plain', 'not found'); }
    }
    const page = /^\/cgi-bin\/luci\/admin\/network\/mpwan\/([a-z]+)$/.exec(url.pathname);
    if (page) return send(200, 'text/html', this.page(page[1]));
    if (url.pathname === '/ubus/' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      return send(200, 'application/json', JSON.stringify(await this.jsonRpc(JSON.parse(body))));
    }
    send(404, 'text/plain', 'not found');
  }

  /** What LuCI's view template does: the session in L.env, then L.require('view.<path>'). */
  private page(view: string): string {
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mpwan ${view}</title><style>body{font-family:sans-serif;margin:0 auto;max-width:1100px;padding:0 1em}
.alert-message{border:1px solid #999;padding:.5em;margin:.5em 0}.alert-message.error,.alert-message.danger{border-color:#c62828;background:#fdecea}
.cbi-input-invalid{border-color:red}</style></head>
<body><div id="maincontent"><div id="view"></div></div>
<script>window.LUCI_SESSION = ${JSON.stringify(this.login())};</script>
<script src="/luci-static/resources/luci.js"></script>
<script>L.require('view.mpwan.${view}').catch(function (e) { document.getElementById('view').textContent = 'LOAD ERROR ' + e.message; });</script>
</body></html>`;
  }

  private async jsonRpc(msg: { id: number; method: string; params: unknown[] }) {
    const reply = (r: object) => ({ jsonrpc: '2.0', id: msg.id, ...r });
    if (msg.method !== 'call' || !Array.isArray(msg.params)) return reply({ error: { code: -32601, message: 'Method not found' } });
    const [sid, object, method, args] = msg.params as [string, string, string, Record<string, unknown>];
    const entry: UbusLogEntry = { object, method, args, status: 0 };
    this.log.push(entry);
    const forced = this.failures.get(`${object}.${method}`);
    if (forced !== undefined) {
      this.failures.delete(`${object}.${method}`);
      entry.status = typeof forced === 'number' ? forced : 'error';
      return reply(typeof forced === 'number' ? { result: [forced] } : { error: forced });
    }
    if (!this.sessions.has(sid)) { entry.status = 'denied'; return reply({ error: ACCESS_DENIED }); }
    if (object === 'uci') {
      if (!uciAllowed(this.acl, method, args?.config)) { entry.status = 'denied'; return reply({ error: ACCESS_DENIED }); }
      const r = await this.uci.call(method, args ?? {});
      entry.status = r[0];
      return reply({ result: r.length > 1 ? r : [r[0]] });
    }
    if (object !== 'mpwan' || !allowed(this.acl, object, method)) { entry.status = 'denied'; return reply({ error: ACCESS_DENIED }); }
    // rpcd adds the caller's session to the arguments.
    const r = await this.rpcd.callAsync(method, JSON.stringify({ ...(args ?? {}), ubus_rpc_session: sid }));
    entry.status = r.status;
    if (r.status !== 'ok') return reply({ result: [UBUS[r.status]] });
    return reply({ result: [0, this.transform ? this.transform(method, r.data) : r.data] });
  }
}
