// The far end of a LAN UDP flow, run in the destination namespace (node, no dependencies):
// echoes every datagram and logs `<seq> <peer address>:<peer port>` per datagram received
// (seq: the payload's first word, as udp-probe.mjs sends it), so a test sees which address the
// flow came from, and whether a datagram arrived twice or never.
//   node udp-peer.mjs --port 9100 --log FILE [--for ms]
import dgram from 'node:dgram';
import { appendFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  appendFileSync(args.log, `${msg.toString().split(' ')[0]} ${rinfo.address}:${rinfo.port}\n`);
  sock.send(msg, rinfo.port, rinfo.address);
});
sock.bind(Number(args.port), () => console.log('listening'));
setTimeout(() => process.exit(0), Number(args.for ?? 600000)).unref();
