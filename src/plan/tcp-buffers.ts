// TCP buffer limits for multipath over unequal links: the bandwidth-delay product rule, and
// the floor mpwan raises the router's limits to. Pure.
//
// One MPTCP connection spreads over every uplink: its receiver's window must cover the summed
// rates over the longest RTT, or the fast paths idle while it waits for the slow one's data
// (the theory asks for twice that, to ride out a retransmission on the slow path: Raiciu et
// al., "How hard can it be?", NSDI 2012; on the link profiles one window measured enough). The
// kernel counts memory, not data: about half of a socket buffer carries payload (skb overhead;
// tcp_adv_win_scale), so the limit is twice the window. The sender holds as much unacknowledged.
// Measured (bench/results.md, "Tuning on the link profiles"): fibre 100 + LTE 40 Mbit/s at 90 ms
// RTT needs 3.2 MB by this rule; a router limit of 2 MB lost a fifth to a half of the download,
// 6 MB lost nothing against 16 MB.
import type { Config } from '../model/config.js';
import { ROUTER_FLOOR } from '../model/tcp-buffers.js';

/** The largest buffer autotuning may grow a TCP socket to (tcp_rmem[2], tcp_wmem[2]), bytes. */
export interface BufferLimits { rmem: number; wmem: number }

/** Bytes of buffer limit for these rates (Mbit/s) over this RTT (ms). */
export function bufferFor(sumMbit: number, rttMs: number): number {
  return Math.ceil(2 * (sumMbit * 1e6 / 8) * (rttMs / 1000));
}

/** The third field of tcp_rmem / tcp_wmem ("4096 131072 6291456"); null when unreadable. */
export function limitOf(text: string | null | undefined): number | null {
  const f = (text ?? '').trim().split(/\s+/);
  const n = Number(f[2]);
  return f.length === 3 && Number.isInteger(n) && n > 0 ? n : null;
}

/** Bytes of buffer to download and to upload at the links' summed rates over the longest RTT. */
export function needFor(links: { downMbit?: number; upMbit?: number; rttMs?: number }[]): { down: number; up: number } {
  const rtt = Math.max(0, ...links.map((u) => u.rttMs ?? 0));
  const sum = (key: 'downMbit' | 'upMbit') => links.reduce((s, u) => s + (u[key] ?? 0), 0);
  return { down: bufferFor(sum('downMbit'), rtt), up: bufferFor(sum('upMbit'), rtt) };
}

/**
 * The buffer limits the router gets at least: the floor, or what the uplinks' configured rates
 * need over the longest configured RTT (the plan cannot know a measured one).
 */
export function planTcpLimits(config: Pick<Config, 'uplinks'>): BufferLimits {
  const need = needFor(config.uplinks.filter((u) => u.mode !== 'off').map((u) => u.rates));
  return { rmem: Math.max(ROUTER_FLOOR.rmem, need.down), wmem: Math.max(ROUTER_FLOOR.wmem, need.up) };
}
