// The TCP buffer limits mpwan gives the router (a floor it raises tcp_rmem / tcp_wmem to) and
// the server (`mpwan server setup`). Measured in bench/results.md ("Tuning on the link
// profiles"): on fibre 100 + LTE 40 Mbit/s a router receiving with a 2 MB limit (what Linux
// gives a router with ~256 MB of memory) carried about half of what it did with 6 MB; 6 MB is
// what Linux gives machines of 1 GB or more. Why: plan/tcp-buffers.ts.

export const TCP_RMEM_PATH = '/proc/sys/net/ipv4/tcp_rmem';
export const TCP_WMEM_PATH = '/proc/sys/net/ipv4/tcp_wmem';

/** Bytes: the router's limits are raised to at least these (never lowered). */
export const ROUTER_FLOOR = { rmem: 6 * 1048576, wmem: 4 * 1048576 };

/** The third fields, bytes: what `mpwan server setup` raises the server to, and what `mpwan status` assumes it has. */
export const SERVER_SETUP_BUFFERS = { rmem: 16 * 1048576, wmem: 16 * 1048576 };

export const SERVER_SETUP_SYSCTLS: Record<string, string> = {
  'net.ipv4.tcp_rmem': `4096 131072 ${SERVER_SETUP_BUFFERS.rmem}`,
  'net.ipv4.tcp_wmem': `4096 16384 ${SERVER_SETUP_BUFFERS.wmem}`,
};
