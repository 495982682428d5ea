// The one wrapper around `conntrack` (package conntrack on OpenWrt): forgetting the NAT of
// flows that left by an uplink that is gone, so their next packet is NATed anew by the
// uplink that carries them now.
import type { Runtime } from './runtime.js';
import { familyOf } from '../lib/inet.js';

/** Deletes the conntrack entries source-NATed to `address` (of one protocol); how many, or why it could not. */
export async function deleteNatFlows(rt: Runtime, address: string, protocol?: 'udp' | 'icmp' | 'icmpv6'): Promise<{ deleted: number } | { unavailable: string }> {
  const family = familyOf(address) === 6 ? 'ipv6' : 'ipv4';
  const r = await rt.exec(['conntrack', '-D', '-f', family, ...(protocol ? ['-p', protocol] : []), '--src-nat', address], { timeoutMs: 10000 });
  if (r.status === 127) return { unavailable: 'the conntrack program is not installed (opkg install conntrack, or apk add conntrack)' };
  // conntrack says how many it deleted, and exits 1 when that is none.
  const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
  if (m) return { deleted: Number(m[1]) };
  return { unavailable: `conntrack failed: ${r.stderr.trim().split('\n').pop() || `exit status ${r.status}`}` };
}
