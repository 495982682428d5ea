// The numbers mpwan owns in the kernel, shared by the planner, the diff, the nft table and the
// validator: its routing tables, the priorities of its rules, and the mark bits of its flows.

/** Table ids owned by mpwan: table_base .. table_base + TABLE_SPAN - 1. */
export const TABLE_SPAN = 64;

/** mpwan's rules sit at rule_pref + these offsets, in this order of lookup. */
export const RULE = {
  /** `from <uplink address> lookup <its table>`: subflows and probes leave by their own uplink. */
  FROM: 0,
  /** `to <server> lookup <best table>`: a new connection's first subflow starts on a healthy uplink. */
  TO_SERVER: 1,
  /** `fwmark <TPROXY_MARK> lookup <local table>`: LAN UDP handed to the relay. */
  TPROXY: 2,
  /** `lookup main suppress_prefixlength 0`: LAN, VPN and other specific routes win over what follows. */
  MAIN_SPECIFIC: 3,
  /** `fwmark <uplink mark> lookup <its table>`: a flow stays on the uplink it started on while that is healthy. */
  STICKY: 4,
  /** `lookup <best table>`: everything else leaves by the best healthy uplink. */
  DEFAULT: 5,
} as const;
export const RULE_SPAN = 6;

/** Conntrack and packet mark bits that hold the uplink a flow left by: its position in the config + 1. */
export const UPLINK_MARK_SHIFT = 24;
export const UPLINK_MARK_MASK = 0x7f000000;
/** The mark of LAN UDP that TPROXY hands to the relay. */
export const TPROXY_MARK = 0x80000000;

export const uplinkMark = (position: number) => ((position + 1) << UPLINK_MARK_SHIFT) >>> 0;
