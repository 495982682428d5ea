// What TCP buffer limits the uplinks need, from their rates and round-trip times (the
// bandwidth-delay product rule of plan/tcp-buffers.ts), against what the router has and what
// `mpwan server setup` gives the server (the router cannot read the server's). Pure.
import { needFor, type BufferLimits } from '../plan/tcp-buffers.js';

export type { BufferLimits };

/** An uplink's rates (Mbit/s) and round-trip time (ms), configured or measured. */
export interface UplinkRates { name: string; downMbit: number; upMbit: number; rttMs: number }

export interface BufferCheck {
  /** The uplinks counted (those with rates and an RTT). */
  uplinks: string[];
  /** Bytes each side's limits should be at least: the router receives downloads, the server uploads. */
  need: { router: BufferLimits; server: BufferLimits };
  have: { router: BufferLimits | null; server: BufferLimits };
  warnings: string[];
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
  const { down, up } = needFor(known);
  const need = { router: { rmem: down, wmem: up }, server: { rmem: up, wmem: down } };
  const warnings: string[] = [];
  const below = (side: string, key: keyof BufferLimits, have: number, want: number, what: string, fix: string) => {
    if (have < want) warnings.push(`${side} net.ipv4.tcp_${key} allows ${mb(have)} per connection; ${what} over ${known.map((u) => u.name).join(' + ')} (longest RTT ${rtt} ms) needs ${mb(want)}: ${fix}`);
  };
  const fixRouter = (want: number) => `give the uplinks their 'rtt' (mpwan then raises it) or raise its third field to at least ${want} in /etc/sysctl.d/`;
  if (router) {
    below("the router's", 'rmem', router.rmem, down, 'downloading', fixRouter(down));
    below("the router's", 'wmem', router.wmem, up, 'uploading', fixRouter(up));
  }
  const fixServer = (want: number) => `raise the third field to at least ${want} on the server (in /etc/sysctl.d/)`;
  below("the server's (as 'mpwan server setup' sets it)", 'wmem', server.wmem, down, 'downloading', fixServer(down));
  below("the server's (as 'mpwan server setup' sets it)", 'rmem', server.rmem, up, 'uploading', fixServer(up));
  return { uplinks: known.map((u) => u.name), need, have: { router, server }, warnings };
}
