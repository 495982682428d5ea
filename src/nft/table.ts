// The `inet mpwan` nftables table, rendered as one `nft -f` transaction that replaces the
// whole table, so there is never a moment with half a ruleset. It holds:
// - flow marks: a flow leaving by an uplink is marked with it (conntrack), and its later
//   packets carry the mark, so the STICKY rules keep it on that uplink while it is healthy;
// - the LAN redirect: LAN TCP to the proxy, except traffic that keeps the normal route;
// - the QUIC reject: LAN UDP to port 443 of proxied destinations gets an ICMP error, so
//   browsers fall back at once to TCP, which is aggregated;
// - the LAN UDP TPROXY (udp 'server'): LAN UDP to the relay's transparent socket, marked so
//   the TPROXY rule delivers it locally; QUIC (port 443) is left to the QUIC option.
// Pure.
import type { UplinkMark } from '../model/plan.js';
import { TPROXY_MARK, UPLINK_MARK_MASK } from '../model/owned-ranges.js';

export const NFT_TABLE = 'mpwan';

/**
 * Never proxied: private, shared (CGNAT), loopback, link-local, multicast and reserved space
 * (IANA special-purpose registry). The documentation prefixes (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 2001:db8::/32) are routed nowhere on the internet and stay proxied, which
 * lets tests use them as "internet" addresses.
 */
export const RESERVED4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
];
export const RESERVED6 = ['::/127', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', 'fc00::/7', 'fe80::/10', 'ff00::/8'];

export interface RedirectPlan {
  /** Layer-3 devices of the `lan` interfaces. */
  lanDevices: string[];
  port: number;
  /** Extra never-proxied addresses/prefixes (server address, user bypass list). */
  bypass: string[];
  /** Reject LAN UDP to port 443 of proxied destinations (option quic 'tcp'). */
  rejectQuic: boolean;
  /** LAN UDP to the relay on this port by TPROXY (option udp 'server'); null: UDP keeps the normal route. */
  udpPort: number | null;
}

export interface TablePlan {
  /** Healthy uplinks' flow marks; none: no mark chains. */
  marks: UplinkMark[];
  /** The LAN redirect while it is on. */
  redirect: RedirectPlan | null;
}

const quote = (dev: string) => `"${dev}"`;
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const KEEP = hex((~UPLINK_MARK_MASK) >>> 0);

function markChains(marks: UplinkMark[]): string[] {
  if (marks.length === 0) return [];
  return [
    '\tchain mark_flows {',
    '\t\ttype filter hook postrouting priority mangle; policy accept;',
    `\t\tct mark & ${hex(UPLINK_MARK_MASK)} != 0 return`,
    ...marks.map((m) => `\t\toifname ${quote(m.dev)} ct mark set ct mark & ${KEEP} | ${hex(m.mark)} comment "!mpwan: flows leaving by ${m.uplink}"`),
    '\t}',
    // Forwarded and the router's own packets of a marked flow carry its mark to the rules.
    '\tchain follow_forwarded {',
    '\t\ttype filter hook prerouting priority mangle; policy accept;',
    `\t\tct direction original ct mark & ${hex(UPLINK_MARK_MASK)} != 0 meta mark set ct mark & ${hex(UPLINK_MARK_MASK)}`,
    '\t}',
    '\tchain follow_local {',
    '\t\ttype route hook output priority mangle; policy accept;',
    `\t\tct direction original ct mark & ${hex(UPLINK_MARK_MASK)} != 0 meta mark set ct mark & ${hex(UPLINK_MARK_MASK)}`,
    '\t}',
  ];
}

function redirectChains(p: RedirectPlan): string[] {
  const v4 = [...RESERVED4, ...p.bypass.filter((b) => !b.includes(':'))];
  const v6 = [...RESERVED6, ...p.bypass.filter((b) => b.includes(':'))];
  const lan = `{ ${p.lanDevices.map(quote).join(', ')} }`;
  const kept = [
    '\t\tfib daddr type { local, broadcast, multicast, anycast } return comment "!mpwan: the router itself"',
    '\t\tip daddr @bypass4 return',
    '\t\tip6 daddr @bypass6 return',
  ];
  return [
    '\tset bypass4 {',
    '\t\ttype ipv4_addr; flags interval; auto-merge;',
    `\t\telements = { ${v4.join(', ')} }`,
    '\t}',
    '\tset bypass6 {',
    '\t\ttype ipv6_addr; flags interval; auto-merge;',
    `\t\telements = { ${v6.join(', ')} }`,
    '\t}',
    '\tchain prerouting {',
    '\t\ttype nat hook prerouting priority dstnat + 1; policy accept;',
    `\t\tiifname != ${lan} return`,
    '\t\tmeta l4proto != tcp return',
    ...kept,
    `\t\tmeta l4proto tcp redirect to :${p.port} comment "!mpwan: LAN TCP to the MPTCP proxy"`,
    '\t}',
    ...(p.udpPort !== null ? [
      '\tchain udp_to_relay {',
      // After follow_forwarded (mangle), whose uplink mark this one replaces.
      '\t\ttype filter hook prerouting priority mangle + 1; policy accept;',
      `\t\tiifname != ${lan} return`,
      '\t\tmeta l4proto != udp return',
      '\t\tudp dport 443 return comment "!mpwan: QUIC follows option quic"',
      ...kept,
      `\t\tmeta l4proto udp tproxy to :${p.udpPort} meta mark set ${hex(TPROXY_MARK)} accept comment "!mpwan: LAN UDP to the relay"`,
      '\t}',
    ] : []),
    ...(p.rejectQuic ? [
      '\tchain quic {',
      '\t\ttype filter hook forward priority filter - 1; policy accept;',
      `\t\tiifname != ${lan} return`,
      '\t\tudp dport != 443 return',
      ...kept,
      '\t\treject with icmpx type port-unreachable comment "!mpwan: QUIC falls back to aggregated TCP"',
      '\t}',
    ] : []),
  ];
}

/** The whole table, or null when nothing needs one. */
export function renderTable(p: TablePlan): string | null {
  if (p.marks.length === 0 && !p.redirect) return null;
  return [
    // Create-then-delete makes the delete safe when the table does not exist yet.
    `table inet ${NFT_TABLE} {}`,
    `delete table inet ${NFT_TABLE}`,
    `table inet ${NFT_TABLE} {`,
    ...markChains(p.marks),
    ...(p.redirect ? redirectChains(p.redirect) : []),
    '}',
    '',
  ].join('\n');
}

/** Removes the table in one transaction whether or not it exists. */
export const renderTableRemoval = () => `table inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\n`;
