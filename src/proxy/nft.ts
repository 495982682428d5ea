// The `inet mpwan` nftables table: LAN TCP to the local proxy port, except traffic that must
// keep the normal route. Rendered as one `nft -f` transaction that replaces the whole table,
// so there is never a moment with half a ruleset. Pure.

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

export interface NftParams {
  /** Layer-3 devices of the `lan` interfaces. */
  lanDevices: string[];
  port: number;
  /** Extra never-proxied addresses/prefixes (server address, user bypass list). */
  bypass: string[];
}

const quote = (dev: string) => `"${dev}"`;

export function renderNft(p: NftParams): string {
  const v4 = [...RESERVED4, ...p.bypass.filter((b) => !b.includes(':'))];
  const v6 = [...RESERVED6, ...p.bypass.filter((b) => b.includes(':'))];
  return [
    // Create-then-delete makes the delete safe when the table does not exist yet.
    `table inet ${NFT_TABLE} {}`,
    `delete table inet ${NFT_TABLE}`,
    `table inet ${NFT_TABLE} {`,
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
    `\t\tiifname != { ${p.lanDevices.map(quote).join(', ')} } return`,
    '\t\tmeta l4proto != tcp return',
    '\t\tfib daddr type { local, broadcast, multicast, anycast } return comment "!mpwan: the router itself"',
    '\t\tip daddr @bypass4 return',
    '\t\tip6 daddr @bypass6 return',
    `\t\tmeta l4proto tcp redirect to :${p.port} comment "!mpwan: LAN TCP to the MPTCP proxy"`,
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** Removes the table in one transaction whether or not it exists. */
export const renderNftRemoval = () => `table inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\n`;
