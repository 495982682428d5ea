// What TCP buffer limits the uplinks need, from their rates and round-trip times (the
// bandwidth-delay product), against what the router has and what `mpwan server setup` gives
// the server. Pure.
//
// One MPTCP connection spreads over every uplink, and its receiver must hold what arrives
// early on the fast paths while it waits for the slowest: about 2 x (sum of the rates) x (the
// longest RTT) of data (Raiciu et al., "How hard can it be?", NSDI 2012). The kernel counts
// memory, not data: about half of a socket buffer carries payload (skb overhead;
// tcp_adv_win_scale), so the limit must be twice that. The sender keeps as much unacknowledged
// for reinjection on another path. Measured (bench/results.md, "Links as they really are"):
// fibre 100 + LTE 40 Mbit/s at 5 and 45 ms one way needs 7.7 MB by this rule; a router with a
// 2 MB tcp_rmem limit (what Linux gives a 256 MB router) carried a fraction of what 6 MB did.

/** An uplink's rates (Mbit/s) and round-trip time (ms), configured or measured. */
export interface UplinkRates { name: string; downMbit: number; upMbit: number; rttMs: number }

/** The largest buffer autotuning may grow a TCP socket to (tcp_rmem[2], tcp_wmem[2]), bytes. */
export interface BufferLimits { rmem: number; wmem: number }

export interface BufferCheck {
  /** The uplinks counted (those with rates and an RTT). */
  uplinks: string[];
  /** Bytes each side's limits should be at least: the router receives downloads, the server uploads. */
  need: { router: BufferLimits; server: BufferLimits };
  have: { router: BufferLimits | null; server: BufferLimits };
  warnings: string[];
}

/** Payload is about half of what a socket buffer is charged (see above). */
const MEMORY_PER_BYTE = 2;
/** Data a multipath receiver (or sender) holds: twice the sum of rates over the longest RTT. */
const WINDOWS = 2;

/** Bytes of buffer limit for these rates (Mbit/s) over this RTT (ms). */
export function bufferFor(sumMbit: number, rttMs: number): number {
  return Math.ceil(MEMORY_PER_BYTE * WINDOWS * (sumMbit * 1e6 / 8) * (rttMs / 1000));
}

/** The third field of tcp_rmem / tcp_wmem ("4096 131072 6291456"); null when unreadable. */
export function limitOf(text: string | null): number | null {
  const f = (text ?? '').trim().split(/\s+/);
  const n = Number(f[2]);
  return f.length === 3 && Number.isInteger(n) && n > 0 ? n : null;
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/**
 * `router`: this router's limits (null: unreadable); `server`: what `mpwan server setup` sets
 * (the router cannot read the server's). No warnings without uplinks that have rates and an RTT.
 */
export function checkBuffers(uplinks: UplinkRates[], router: BufferLimits | null, server: BufferLimits): BufferCheck | null {
  const known = uplinks.filter((u) => u.rttMs > 0 && (u.downMbit > 0 || u.upMbit > 0));
  if (known.length === 0) return null;
  const rtt = Math.max(...known.map((u) => u.rttMs));
  const down = bufferFor(known.reduce((s, u) => s + u.downMbit, 0), rtt);
  const up = bufferFor(known.reduce((s, u) => s + u.upMbit, 0), rtt);
  const need = { router: { rmem: down, wmem: up }, server: { rmem: up, wmem: down } };
  const warnings: string[] = [];
  const below = (side: string, key: keyof BufferLimits, have: number, want: number, what: string, fix: string) => {
    if (have < want) warnings.push(`${side} net.ipv4.tcp_${key} allows ${mb(have)} per connection; ${what} over ${known.map((u) => u.name).join(' + ')} (longest RTT ${rtt} ms) needs ${mb(want)}: ${fix}`);
  };
  const fixRouter = (want: number) => `raise its third field to at least ${want} (in /etc/sysctl.d/)`;
  if (router) {
    below("the router's", 'rmem', router.rmem, down, 'downloading', fixRouter(down));
    below("the router's", 'wmem', router.wmem, up, 'uploading', fixRouter(up));
  }
  const fixServer = (want: number) => `raise the third field to at least ${want} on the server (in /etc/sysctl.d/)`;
  below("the server's (as 'mpwan server setup' sets it)", 'wmem', server.wmem, down, 'downloading', fixServer(down));
  below("the server's (as 'mpwan server setup' sets it)", 'rmem', server.rmem, up, 'uploading', fixServer(up));
  return { uplinks: known.map((u) => u.name), need, have: { router, server }, warnings };
}
