// Parses `ss -tniHO` (one line per TCP socket) into MPTCP subflows. Pure.

export interface Subflow {
  /** The MPTCP connection this subflow belongs to. */
  token: string;
  local: string;
  localPort: number;
  /** Present when the subflow socket is bound to a device (`addr%dev`). */
  dev?: string;
  remote: string;
  remotePort: number;
  bytesSent: number;
  bytesAcked: number;
  bytesReceived: number;
}

/** `10.0.0.1%wan0:123`, `[2001:db8::1]:123`, `[2001:db8::1%wan0]:123` */
function splitEndpoint(text: string): { address: string; dev?: string; port: number } | null {
  const m = /^\[?([0-9A-Fa-f:.]+)(?:%([^\]:]+))?\]?:(\d+)$/.exec(text);
  if (!m) return null;
  return { address: m[1], port: Number(m[3]), ...(m[2] ? { dev: m[2] } : {}) };
}

/** Local and peer address of an `ss` line: the first two address:port fields (the State column is absent with a state filter). */
function endpoints(line: string) {
  const found = line.trim().split(/\s+/).slice(0, 6).map(splitEndpoint).filter((e): e is NonNullable<typeof e> => e !== null);
  return { local: found[0] ?? null, remote: found[1] ?? null };
}

/** The MPTCP connection token of a subflow line (`tcp-ulp-mptcp ... token:<local>/<remote>`), else null. */
const tokenOf = (line: string) => /tcp-ulp-mptcp .*?token:[0-9a-f]+\(id:\d+\)\/([0-9a-f]+)/.exec(line)?.[1] ?? null;

/** Processes holding a socket, from `ss -p`'s users:((...pid=N...)). */
const ownerPids = (line: string) => [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));

const counter = (line: string, key: string) => {
  const m = new RegExp(`\\b${key}:(\\d+)`).exec(line);
  return m ? Number(m[1]) : 0;
};

export function parseSubflows(text: string): Subflow[] {
  const out: Subflow[] = [];
  for (const line of text.split('\n')) {
    const token = tokenOf(line);
    if (!token) continue;
    const { local, remote } = endpoints(line);
    if (!local || !remote) continue;
    out.push({
      token,
      local: local.address,
      localPort: local.port,
      ...(local.dev ? { dev: local.dev } : {}),
      remote: remote.address,
      remotePort: remote.port,
      bytesSent: counter(line, 'bytes_sent'),
      bytesAcked: counter(line, 'bytes_acked'),
      bytesReceived: counter(line, 'bytes_received'),
    });
  }
  return out;
}

/**
 * Established connections to host:port in `ss -tnpiHO` output, by whether they are MPTCP.
 * A plain TCP socket that a process other than `proxyPids` holds (the daemon's own probes,
 * socat, ssh) is not a proxy connection that fell back; kernel-held sockets (MPTCP subflows,
 * fallen back or not) have no owner in `ss -p`.
 */
export function countConnectionsTo(text: string, host: string, port: number, proxyPids?: number[]): { mptcp: number; tcp: number } {
  const out = { mptcp: 0, tcp: 0 };
  const tokens = new Set<string>();
  for (const line of text.split('\n')) {
    const { remote } = endpoints(line);
    if (!remote || remote.address !== host || remote.port !== port) continue;
    const token = tokenOf(line);
    if (token) {
      if (!tokens.has(token)) { tokens.add(token); out.mptcp++; }
      continue;
    }
    const owners = ownerPids(line);
    if (proxyPids && owners.length > 0 && !owners.some((p) => proxyPids.includes(p))) continue;
    out.tcp++;
  }
  return out;
}

/** A connection that last heard from the server longer ago than this is no evidence of it answering now. */
const ANSWER_RECENT_MS = 30000;

/**
 * Proxied connections to host:port that sent data the server acknowledged but got not one
 * byte back, though the last send was at least `quietMs` ago; and how many connections got
 * an answer within the last ANSWER_RECENT_MS. A shadowsocks server that cannot decrypt (wrong
 * password or cipher) stalls every connection that way; a working one answers as soon as the
 * target does. Connections that last heard from the server long ago (idle, or still closing
 * from before a reload) say nothing about it now and are not counted as answered; with
 * `sentWithinMs`, only data sent that recently (since the proxies or the server last
 * (re)started) can make a connection silent; with `tokens`, only those MPTCP connections count.
 */
export function silentServerConnections(
  text: string, host: string, port: number, quietMs: number, opts: { sentWithinMs?: number; tokens?: Set<string> } = {},
): { silent: number; answered: number } {
  const sentWithinMs = opts.sentWithinMs ?? Infinity;
  const conns = new Map<string, { acked: number; received: number; lastsnd: number; lastrcv: number }>();
  const since = (line: string, key: string) => (new RegExp(`\\b${key}:\\d+`).test(line) ? counter(line, key) : Infinity);
  for (const line of text.split('\n')) {
    const { remote } = endpoints(line);
    if (!remote || remote.address !== host || remote.port !== port) continue;
    const token = tokenOf(line);
    if (opts.tokens && (!token || !opts.tokens.has(token))) continue;
    const key = token ?? line;
    const c = conns.get(key) ?? { acked: 0, received: 0, lastsnd: Infinity, lastrcv: Infinity };
    c.acked += counter(line, 'bytes_acked');
    c.received += counter(line, 'bytes_received');
    c.lastsnd = Math.min(c.lastsnd, since(line, 'lastsnd'));
    c.lastrcv = Math.min(c.lastrcv, since(line, 'lastrcv'));
    conns.set(key, c);
  }
  let silent = 0, answered = 0;
  for (const c of conns.values()) {
    if (c.received > 0) { if (c.lastrcv < ANSWER_RECENT_MS) answered++; }
    else if (c.acked > 1 && c.lastsnd >= quietMs && c.lastsnd < sentWithinMs) silent++;
  }
  return { silent, answered };
}

/** Tokens of the MPTCP connections (`ss -MnpiHO`) that belong to the given processes. */
export function mptcpTokensOf(text: string, pids: number[]): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const token = /\btoken:([0-9a-f]+)/.exec(line)?.[1];
    if (token && ownerPids(line).some((p) => pids.includes(p))) out.add(token);
  }
  return out;
}
