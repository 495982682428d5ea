// A UDP prober run inside a test namespace (node, no dependencies): sends one request every
// --every ms and prints a line per answer: `ok <seq> <epoch ms received> <epoch ms sent> <detail>`
// (detail: the answering address:port, or the DNS answer), or per error: `err <seq> <ms> <ms> <code>`. Modes:
//   echo  one socket for the whole run (one flow, as a call or a game keeps): --to HOST:PORT
//   fresh a new socket per request (a new flow each time, as NTP or a DNS lookup makes)
//   dns   an A query for <seq>.--name (a new name each time, as a browser looks up new hosts)
//         through the resolver --to HOST:PORT, a new socket each time
// In echo mode the first line is `port <local port>`.
// It stops after --for ms. Output goes to stdout; the test reads it afterwards.
import dgram from 'node:dgram';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const mode = args.mode ?? 'echo';
const [host, port] = [args.to.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), Number(args.to.match(/:(\d+)$/)[1])];
const every = Number(args.every ?? 100);
const duration = Number(args.for ?? 10000);
// Wall-clock ms, so the test can line answers up with the moment it cut an uplink.
const now = () => Date.now();
const family = host.includes(':') ? 'udp6' : 'udp4';

function dnsQuery(id, name) {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  return Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}
/** The first A record's address, or null (no answer, or an error code). */
function dnsAnswer(msg) {
  if (msg.length < 12 || (msg[3] & 15) !== 0 || msg.readUInt16BE(6) === 0) return null;
  const a = msg.subarray(msg.length - 4);
  return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
}

/** When each request went out, so an answer counts from when it was asked. */
const sentAt = new Map();

function bindReply(sock, seq) {
  sock.on('message', (msg, rinfo) => {
    if (mode === 'dns') {
      const id = msg.readUInt16BE(0);
      const addr = dnsAnswer(msg);
      console.log(addr ? `ok ${id} ${now()} ${sentAt.get(id)} ${addr}` : `err ${id} ${now()} ${sentAt.get(id)} dns`);
    } else {
      const [s, t] = msg.toString().split(' ');
      console.log(`ok ${s} ${now()} ${t} ${rinfo.address}:${rinfo.port}`);
    }
    if (mode !== 'echo') sock.close();
  });
  sock.on('error', (e) => { console.log(`err ${seq} ${now()} ${sentAt.get(seq)} ${e.code}`); if (mode !== 'echo') { try { sock.close(); } catch { /* closed */ } } });
}

let shared = null;
if (mode === 'echo') {
  shared = dgram.createSocket(family);
  bindReply(shared, 0);
  shared.connect(port, host);
  await new Promise((r) => shared.once('connect', r));
  console.log(`port ${shared.address().port}`);
}
let seq = 0;
const timer = setInterval(() => {
  seq++;
  sentAt.set(seq, now());
  if (mode === 'echo') {
    shared.send(`${seq} ${now()}`);
    return;
  }
  const sock = dgram.createSocket(family);
  bindReply(sock, seq);
  const payload = mode === 'dns' ? dnsQuery(seq, `${seq}.${args.name}`) : Buffer.from(`${seq} ${now()}`);
  sock.send(payload, port, host);
  setTimeout(() => { try { sock.close(); } catch { /* answered */ } }, 2000).unref();
}, every);
setTimeout(() => { clearInterval(timer); setTimeout(() => process.exit(0), 500); }, duration);
