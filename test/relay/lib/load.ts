// Many short LAN connections, for the relay's connection-rate tests and bench, run inside a
// namespace:   node --import tsx load.ts <mode> '<json options>'
//   echo   the destination: echoes what it reads, ends after the client's end (no log), or
//          with `serverCloses` once it echoed as many bytes as the first 4 announce
//   rate   `rate` new connections a second for `seconds`, at most `open` at a time: each sends
//          a random payload of `bytes` ([min, max]), half-closes, reads the echo to the end and
//          compares it byte for byte. With `serverCloses`: the payload starts with its length
//          (4 bytes), the client does not half-close, the destination ends after echoing it.
//   open   `n` connections opened (at most `connecting` at a time) and held idle; once the
//          file `go` exists, each sends its payload, half-closes and checks its echo (prints
//          "open <count>" when each connected or failed)
// Prints one JSON line at the end: counts of ok and of each failure, per second and in all.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';

const [mode, json] = process.argv.slice(2);
const o = JSON.parse(json ?? '{}');
const now = () => Number(process.hrtime.bigint() / 1000000n);
const [minBytes, maxBytes] = (o.bytes as [number, number] | undefined) ?? [64, 2048];
const TIMEOUT_MS = o.timeoutMs ?? 20000;

type Failure = 'refused' | 'reset' | 'mismatch' | 'timeout' | `error ${string}`;
const counts = { started: 0, ok: 0 } as Record<string, number>;
const fail = (why: Failure) => { counts[why] = (counts[why] ?? 0) + 1; };
const latencies: number[] = [];
let failMaxMs = 0; /* the longest a failed connection took to fail */

/** One connection: `onOpen` once connected; `send()` then writes, half-closes and checks. */
function connection(host: string, port: number, sendAtOnce: boolean, onOpen: (c: { send: () => void }) => void, onDone: (ok: boolean) => void) {
  const want = randomBytes(minBytes + Math.floor(Math.random() * (maxBytes - minBytes + 1)));
  if (o.serverCloses) want.writeUInt32BE(want.length - 4, 0);
  const chunks: Buffer[] = [];
  const t0 = now();
  let settled = false;
  const s = net.connect({ host, port, noDelay: true });
  const finish = (why: Failure | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (why) { fail(why); failMaxMs = Math.max(failMaxMs, now() - t0); } else { counts.ok++; latencies.push(now() - t0); }
    s.destroy();
    onDone(!why);
  };
  const timer = setTimeout(() => finish('timeout'), sendAtOnce ? TIMEOUT_MS : 3600_000);
  const send = () => { timer.refresh(); if (o.serverCloses) s.write(want); else s.end(want); };
  s.on('connect', () => (sendAtOnce ? send() : onOpen({ send })));
  s.on('data', (d: Buffer) => chunks.push(d));
  s.on('end', () => finish(Buffer.concat(chunks).equals(want) ? null : 'mismatch'));
  s.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : `error ${e.code}`));
  counts.started++;
}

function summary(extra: Record<string, unknown>) {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? null;
  const failures = Object.fromEntries(Object.entries(counts).filter(([k]) => k !== 'started' && k !== 'ok'));
  const failed = Object.values(failures).reduce((s, v) => s + v, 0);
  process.stdout.write(JSON.stringify({ ...counts, failed, failures, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: latencies.at(-1) ?? null, failMaxMs, ...extra }) + '\n');
  process.exit(0);
}

/** Sustained: `rate` a second, started on a 10 ms clock, never more than `open` in flight. */
function rate() {
  let inFlight = 0, maxInFlight = 0, behind = 0;
  const t0 = now(), total = Math.round(o.rate * o.seconds);
  const perSecond: { ok: number; failed: number }[] = [];
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((now() - t0) * o.rate) / 1000));
    while (counts.started < due && inFlight < o.open) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const second = Math.floor((now() - t0) / 1000);
      connection(o.host, o.port, true, () => undefined, (ok) => {
        inFlight--;
        (perSecond[second] ??= { ok: 0, failed: 0 })[ok ? 'ok' : 'failed']++;
        if (counts.started === total && inFlight === 0) done();
      });
    }
    if (counts.started < due) behind = Math.max(behind, due - counts.started);
  }, 10);
  const done = () => {
    clearInterval(tick);
    const seconds = (now() - t0) / 1000;
    summary({ seconds: Number(seconds.toFixed(2)), achievedRate: Math.round(counts.ok / seconds), maxInFlight, maxBehind: behind,
      worstSecond: perSecond.reduce((w, s, i) => (s && s.failed > (perSecond[w]?.failed ?? 0) ? i : w), 0), failedBySecond: perSecond.map((s) => s?.failed ?? 0) });
  };
}

/** `n` idle connections; once each is open or has failed, "open <count>"; all open ones send
 * once `go` exists. */
function open() {
  const waiting: { send: () => void }[] = [];
  let closed = 0, failedEarly = 0;
  const t0 = now();
  const settled = () => {
    if (waiting.length + failedEarly < o.n) return;
    process.stdout.write(`open ${waiting.length} ${now() - t0} ms\n`);
    const poll = setInterval(() => {
      if (!existsSync(o.go)) return;
      clearInterval(poll);
      for (const w of waiting) w.send();
    }, 50);
  };
  // At most `connecting` handshakes at a time (all at once by default).
  let started = 0, pending = 0;
  const more = () => {
    while (started < o.n && pending < (o.connecting ?? o.n)) {
      started++, pending++;
      let opened = false;
      connection(o.host, o.port, false, (c) => { opened = true; pending--; waiting.push(c); settled(); more(); }, () => {
        if (!opened) { failedEarly++; pending--; settled(); more(); }
        if (++closed === o.n) summary({ ms: now() - t0, connected: waiting.length });
      });
    }
  };
  more();
  setTimeout(() => summary({ gaveUp: true, connected: waiting.length }), o.timeoutMs ?? 300_000);
}

function echo() {
  for (const port of o.ports as number[]) {
    const srv = net.createServer({ noDelay: true }, (s) => {
      let head = Buffer.alloc(0), seen = 0;
      s.on('data', (d: Buffer) => {
        s.write(d);
        seen += d.length;
        if (!o.serverCloses) return;
        if (head.length < 4) head = Buffer.concat([head, d]);
        if (head.length >= 4 && seen >= 4 + head.readUInt32BE(0)) s.end();
      });
      s.on('end', () => s.end());
      s.on('error', () => s.destroy());
    });
    srv.maxConnections = 1 << 20;
    srv.listen({ port, host: '::', ipv6Only: false, backlog: 4096 });
  }
}

switch (mode) {
  case 'echo': echo(); break;
  case 'rate': rate(); break;
  case 'open': open(); break;
  default: throw new Error(`unknown mode ${mode}`);
}
