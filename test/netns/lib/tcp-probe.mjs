// New TCP connections, one every --every ms, each waiting up to --timeout ms for the first
// bytes from the far end (a LAN client opening pages while something fails), run inside a
// test namespace (node, no dependencies). Prints per connection, as it ends:
//   ok <seq> <epoch ms opened> <epoch ms answered>      err <seq> <epoch ms opened> <epoch ms> <why>
//   node tcp-probe.mjs --to HOST:PORT [--every 100] [--timeout 5000] [--for ms]
import net from 'node:net';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const [host, port] = [args.to.replace(/:\d+$/, ''), Number(args.to.match(/:(\d+)$/)[1])];
const every = Number(args.every ?? 100);
const timeout = Number(args.timeout ?? 5000);
const duration = Number(args.for ?? 10000);
const start = Date.now();
let seq = 0;

function open() {
  const n = ++seq;
  const opened = Date.now();
  let done = false;
  const end = (line) => { if (!done) { done = true; console.log(line); sock.destroy(); } };
  const sock = net.connect({ host, port });
  sock.on('data', () => end(`ok ${n} ${opened} ${Date.now()}`));
  sock.on('error', (e) => end(`err ${n} ${opened} ${Date.now()} ${e.code}`));
  sock.on('close', () => end(`err ${n} ${opened} ${Date.now()} closed`));
  setTimeout(() => end(`err ${n} ${opened} ${Date.now()} timeout`), timeout);
}

const timer = setInterval(() => { if (Date.now() - start >= duration) clearInterval(timer); else open(); }, every);
open();
