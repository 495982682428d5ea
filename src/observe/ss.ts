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
