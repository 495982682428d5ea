// A UDP peer for the relay tests, run inside a namespace:
//   node --import tsx udp-peer.ts <mode> '<json options>'
// Modes: echo (destination: echoes every datagram and logs who sent it), stream (a LAN client
// sending numbered datagrams at a fixed rate, timing the echoes), flows (many LAN flows at
// once, one datagram each), raw (datagrams straight to
// the server, collecting what comes back), fuzz (bad datagrams at the server). Each prints
// one JSON line (echo: one per datagram, to its log) and exits.
import { randomBytes, randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { TYPE, seal, type Datagram } from './dgram.js';

const [mode, json] = process.argv.slice(2);
const o = JSON.parse(json ?? '{}');
const done = (v: unknown) => { process.stdout.write(JSON.stringify(v) + '\n'); process.exit(0); };
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const socketFor = (host: string) => dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });

/** Echoes on each port; logs {port, from, fromPort, stream, seq} per datagram (payload "stream seq ..."). */
function echo() {
  for (const port of o.ports as number[]) {
    const s = dgram.createSocket({ type: 'udp6', ipv6Only: false });
    s.on('message', (msg, r) => {
      const [stream, seq] = msg.subarray(0, 64).toString('latin1').split(' ');
      appendFileSync(o.log, JSON.stringify({ port, from: r.address.replace(/^::ffff:/, ''), fromPort: r.port, stream, seq: Number(seq), t: now() }) + '\n');
      s.send(msg, r.port, r.address);
    });
    s.bind(port, '::');
  }
}

/**
 * `count` datagrams of `size` bytes at `rate` per second to host:port, each "<stream> <seq> ";
 * reports what came back: how many, duplicates, and the longest silence between echoes.
 */
async function stream() {
  const s = socketFor(o.host);
  const echoes = new Map<number, number>();
  let dupEchoes = 0;
  s.on('message', (msg) => {
    const seq = Number(msg.subarray(0, 64).toString('latin1').split(' ')[1]);
    if (echoes.has(seq)) dupEchoes++;
    else echoes.set(seq, now());
  });
  await new Promise<void>((r) => s.bind(0, r));
  const t0 = now();
  for (let i = 0; i < o.count; i++) {
    const wait = t0 + (i * 1000) / o.rate - now();
    if (wait > 0) await sleep(wait);
    s.send(Buffer.from(`${o.stream} ${i} `.padEnd(o.size ?? 64, 'x')), o.port, o.host);
  }
  await sleep(o.tailMs ?? 1000);
  const times = [...echoes.values()].sort((a, b) => a - b);
  let maxGap = 0, gapAt = 0;
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > maxGap) { maxGap = times[i] - times[i - 1]; gapAt = times[i - 1] - t0; }
  const lost = Array.from({ length: o.count }, (_, i) => i).filter((i) => !echoes.has(i));
  done({ sent: o.count, echoed: echoes.size, dupEchoes, maxGapMs: Math.round(maxGap), gapAtMs: Math.round(gapAt), lost: lost.length > 50 ? lost.length : lost, ms: Math.round(now() - t0) });
}

/** `n` LAN flows at once (one socket each), one datagram each: how many were echoed. */
async function flows() {
  let echoed = 0;
  const socks: dgram.Socket[] = [];
  for (let i = 0; i < o.n; i++) {
    const s = socketFor(o.host);
    s.on('message', () => { echoed++; });
    await new Promise<void>((r) => s.bind(0, r));
    s.send(Buffer.from(`flow${i} 0 `), o.port, o.host);
    socks.push(s);
    if (i % 100 === 99) await sleep(20); // the destination's echo (node) has only the default receive buffer
  }
  const t0 = now();
  while (echoed < o.n && now() - t0 < (o.timeoutMs ?? 5000)) await sleep(20);
  for (const s of socks) s.close();
  done({ n: o.n, echoed });
}

/** Datagrams (hex, or built from `items`) to the server; everything that comes back within `waitMs`. */
async function raw() {
  const s = socketFor(o.host);
  const back: string[] = [];
  s.on('message', (msg) => back.push(msg.toString('hex')));
  await new Promise<void>((r) => s.bind(0, r));
  const sent: string[] = [];
  for (const it of o.items as Record<string, unknown>[]) {
    const b = it.hex ? Buffer.from(it.hex as string, 'hex') : seal(o.keyHex, { ...(it as unknown as Datagram), payload: Buffer.from((it.payload as string) ?? '') });
    sent.push(b.toString('hex'));
    s.send(b, o.port, o.host);
    if (o.gapMs) await sleep(o.gapMs);
  }
  await sleep(o.waitMs ?? 500);
  done({ sent, back, port: s.address().port });
}

/** `n` bad datagrams: forged, wrong key, bit flips, truncated, oversized, stale, wrong type, replayed. */
async function fuzz() {
  const s = socketFor(o.host);
  await new Promise<void>((r) => s.bind(0, r));
  const key = o.keyHex as string;
  const valid = (extra: object = {}) => seal(key, { type: TYPE.toServer, session: randomInt(1, 2 ** 32), seq: randomInt(1, 1000), address: o.address, port: o.destPort, payload: randomBytes(randomInt(0, 1200)), ...extra });
  const replays = (o.replay as string[]).map((h) => Buffer.from(h, 'hex'));
  const kinds: (() => Buffer)[] = [
    () => randomBytes(randomInt(0, 1500)),
    () => valid({ payload: Buffer.alloc(0) }).subarray(0, randomInt(0, 29)),
    () => { const b = valid(); return b.subarray(0, randomInt(0, b.length)); },
    () => seal(randomBytes(32).toString('hex'), { type: TYPE.toServer, session: 7, seq: 1, address: o.address, port: o.destPort }),
    () => { const b = valid(); const bit = randomInt(0, b.length * 8); b[bit >> 3] ^= 1 << (bit & 7); return b; },
    () => randomBytes(randomInt(1500, 65000)),
    () => { const b = valid({ payload: randomBytes(randomInt(1500, 60000)) }); return b.fill(0xa5, b.length - 8); },
    () => valid({ time: Math.floor(Date.now() / 1000) - 120 }),
    () => valid({ type: [TYPE.toRouter, TYPE.answer, 0x20, 0x25][randomInt(0, 4)] }),
    () => { const b = valid(); b[14] = [0, 5, 255][randomInt(0, 3)]; return b; },
    () => replays[randomInt(0, replays.length)],
  ];
  let burst = 0;
  for (let i = 0; i < o.n; i++) {
    const b = kinds[i % kinds.length]();
    s.send(b, o.port, o.host);
    // Paced: a burst would overflow the server's receive buffer in the kernel, before the relay.
    if ((burst += b.length + 500) > 64 * 1024) { burst = 0; await sleep(5); }
  }
  await sleep(200);
  done({ sent: o.n });
}

const modes: Record<string, () => unknown> = { echo, stream, flows, raw, fuzz };
if (!modes[mode]) throw new Error(`unknown mode ${mode}`);
Promise.resolve(modes[mode]()).catch((e) => { console.error(e); process.exit(1); });
