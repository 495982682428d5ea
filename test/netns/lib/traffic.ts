// Bounded MPTCP transfers between namespaces with iperf3 (3.12 has no --mptcp, so both ends
// run under mptcpize). Traffic only ever goes to addresses inside our own namespaces.
import type { Topology } from './topology.js';
import { waitListening } from './wait.js';

let nextPort = 5201 + (process.pid % 1000);

export interface TransferResult {
  bitsPerSecond: number;
  bytes: number;
  /** UDP: datagrams sent, and the share the receiver never got. */
  packets?: number;
  lostPercent?: number;
}

/** iperf3 server in `serverNs` on `address`, client in `clientNs`; `reverse` downloads. */
/** `omit`: seconds of TCP slow start left out of the figure (iperf3 -O). */
/** `length`: bytes per write (iperf3 -l, e.g. '64K'). `udp`: a UDP test at that bitrate ('0': unlimited). */
export function iperf(topo: Topology, opts: { clientNs: string; serverNs: string; address: string; seconds: number; mptcp?: boolean; reverse?: boolean; omit?: number; length?: string; udp?: string }): TransferResult {
  const port = nextPort++;
  const wrap = (argv: string[]) => (opts.mptcp === false ? argv : ['mptcpize', 'run', ...argv]);
  const server = topo.spawn(opts.serverNs, wrap(['iperf3', '-s', '-1', '-B', opts.address, '-p', String(port)]));
  try {
    waitListening(topo, opts.serverNs, port);
    const args = ['iperf3', '-c', opts.address, '-p', String(port), '-t', String(opts.seconds), '-J', ...(opts.reverse ? ['-R'] : []), ...(opts.omit ? ['-O', String(opts.omit)] : []), ...(opts.length ? ['-l', opts.length] : []), ...(opts.udp ? ['-u', '-b', opts.udp] : [])];
    const r = topo.exec(opts.clientNs, wrap(args));
    if (r.status !== 0) throw new Error(`iperf3 failed: ${r.stderr || r.stdout.slice(0, 500)}`);
    const j = JSON.parse(r.stdout);
    const sum = j.end?.sum_received;
    if (!sum) throw new Error(`iperf3 reported no transfer: ${j.error ?? r.stdout.slice(0, 500)}`);
    return { bitsPerSecond: sum.bits_per_second, bytes: sum.bytes, ...(opts.udp ? { packets: sum.packets, lostPercent: sum.lost_percent } : {}) };
  } finally {
    try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* exited after its one test */ }
  }
}

/** An MPTCP transfer from the router to the server. */
export function mptcpFromRouter(topo: Topology, seconds: number, address = topo.server): TransferResult {
  return iperf(topo, { clientNs: topo.rtr, serverNs: topo.vps, address, seconds });
}
