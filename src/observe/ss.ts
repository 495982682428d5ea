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

const counter = (line: string, key: string) => {
  const m = new RegExp(`\\b${key}:(\\d+)`).exec(line);
  return m ? Number(m[1]) : 0;
};

export function parseSubflows(text: string): Subflow[] {
  const out: Subflow[] = [];
  for (const line of text.split('\n')) {
    const ulp = /tcp-ulp-mptcp .*?token:[0-9a-f]+\(id:\d+\)\/([0-9a-f]+)\(id:\d+\)/.exec(line);
    if (!ulp) continue;
    const fields = line.trim().split(/\s+/);
    const local = splitEndpoint(fields[3] ?? '');
    const remote = splitEndpoint(fields[4] ?? '');
    if (!local || !remote) continue;
    out.push({
      token: ulp[1],
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

/** Established connections to host:port in `ss -tniHO` output, by whether they are MPTCP. */
export function countConnectionsTo(text: string, host: string, port: number): { mptcp: number; tcp: number } {
  const out = { mptcp: 0, tcp: 0 };
  const tokens = new Set<string>();
  for (const line of text.split('\n')) {
    const remote = splitEndpoint(line.trim().split(/\s+/)[4] ?? '');
    if (!remote || remote.address !== host || remote.port !== port) continue;
    const ulp = /tcp-ulp-mptcp .*?token:[0-9a-f]+\(id:\d+\)\/([0-9a-f]+)/.exec(line);
    if (!ulp) out.tcp++;
    else if (!tokens.has(ulp[1])) { tokens.add(ulp[1]); out.mptcp++; }
  }
  return out;
}

/**
 * Proxied connections to host:port that sent data the server acknowledged but got not one
 * byte back, though the last send was at least `quietMs` ago; and how many connections did
 * get an answer. A shadowsocks server that cannot decrypt (wrong password or cipher) stalls
 * every connection that way; a working one answers as soon as the target does.
 */
export function silentServerConnections(text: string, host: string, port: number, quietMs: number): { silent: number; answered: number } {
  const conns = new Map<string, { acked: number; received: number; lastsnd: number }>();
  for (const line of text.split('\n')) {
    const remote = splitEndpoint(line.trim().split(/\s+/)[4] ?? '');
    if (!remote || remote.address !== host || remote.port !== port) continue;
    const ulp = /tcp-ulp-mptcp .*?token:[0-9a-f]+\(id:\d+\)\/([0-9a-f]+)/.exec(line);
    const key = ulp ? ulp[1] : line;
    const c = conns.get(key) ?? { acked: 0, received: 0, lastsnd: Infinity };
    c.acked += counter(line, 'bytes_acked');
    c.received += counter(line, 'bytes_received');
    if (/\blastsnd:\d+/.test(line)) c.lastsnd = Math.min(c.lastsnd, counter(line, 'lastsnd'));
    conns.set(key, c);
  }
  let silent = 0, answered = 0;
  for (const c of conns.values()) {
    if (c.received > 0) answered++;
    else if (c.acked > 1 && c.lastsnd !== Infinity && c.lastsnd >= quietMs) silent++;
  }
  return { silent, answered };
}
