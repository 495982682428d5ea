// The TCP buffer limits mpwan gives the server (`mpwan server setup`), as tcp_rmem / tcp_wmem
// triples. Measured in bench/results.md ("Links as they really are"); why in status/buffer-needs.ts.

/** The third fields, bytes: what `mpwan status` assumes the server has. */
export const SERVER_SETUP_BUFFERS = { rmem: 16 * 1048576, wmem: 16 * 1048576 };

export const SERVER_SETUP_SYSCTLS: Record<string, string> = {
  'net.ipv4.tcp_rmem': `4096 131072 ${SERVER_SETUP_BUFFERS.rmem}`,
  'net.ipv4.tcp_wmem': `4096 16384 ${SERVER_SETUP_BUFFERS.wmem}`,
};
