// A TCP peer for the relay tests, run inside a namespace:
//   node --import tsx peer.ts <mode> '<json options>'
// Modes: serve (destination), clients (many echo clients), halfclose, expect, raw (bytes or
// handshakes straight to the server), fuzz, halfopen. Each prints one JSON line (serve: one
// per event, to its log) and exits.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { fuzzCases } from './fuzz.js';
import { handshake } from './handshake.js';

const [mode, json] = process.argv.slice(2);
const o = JSON.parse(json ?? '{}');
const done = (v: unknown) => { process.stdout.write(JSON.stringify(v) + '\n'); process.exit(0); };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const now = () => Number(process.hrtime.bigint() / 1000000n);

type Outcome = { outcome: 'reset' | 'end' | 'error' | 'timeout'; data: Buffer; ms: number };

/** Connects, writes `send` (then FIN if `end`), and collects what comes back until it closes. */
function exchange(host: string, port: number, send: Buffer, end: boolean, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = now();
    const chunks: Buffer[] = [];
    const s = net.connect({ host, port });
    let settled = false;
    const finish = (outcome: Outcome['outcome']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ outcome, data: Buffer.concat(chunks), ms: now() - t0 });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    s.on('connect', () => { s.write(send); if (end) s.end(); });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => finish('end'));
    s.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'error'));
  });
}

/** The destination: per port one behaviour; every connection's events go to the log. */
function serve() {
  for (const [port, kind] of Object.entries(o.ports as Record<string, string>)) {
    net.createServer((s) => {
      let tag = '';
      const log = (event: string) => appendFileSync(o.log, JSON.stringify({ port: Number(port), kind, event, tag }) + '\n');
      log('accept');
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => {
        if (!tag) tag = d.subarray(0, 32).toString('latin1');
        if (kind === 'echo') s.write(d);
        if (kind === 'reply-after-eof') got.push(d);
        if (kind === 'reset') s.resetAndDestroy();
      });
      s.on('end', () => {
        log('end');
        if (kind === 'reply-after-eof') { const all = Buffer.concat(got); s.end(JSON.stringify({ bytes: all.length, sha: sha(all) })); }
        else if (kind !== 'hold') s.end();
      });
      s.on('error', (e: NodeJS.ErrnoException) => log(e.code === 'ECONNRESET' ? 'reset' : `error ${e.code}`));
      if (kind === 'greet') s.write('hello\n');
    }).listen({ port: Number(port), host: '::', ipv6Only: false });
  }
}

/** `n` echo clients, all open at once; with `holdFile`, kept open (after "ready") until it exists. */
async function clients() {
  const t0 = now();
  const payload = (i: number) => Buffer.from(`client ${i} `.padEnd(o.bytes ?? 64, 'x'));
  const socks: net.Socket[] = [];
  const results: Promise<boolean>[] = [];
  let echoed = 0;
  const allEchoed = new Promise<void>((res) => {
    for (let i = 0; i < o.n; i++) {
      const want = payload(i);
      const s = net.connect({ host: o.host, port: o.port });
      socks.push(s);
      const chunks: Buffer[] = [];
      let counted = false;
      results.push(new Promise((resolve) => {
        s.on('connect', () => s.write(want));
        s.on('data', (d: Buffer) => {
          chunks.push(d);
          if (!counted && Buffer.concat(chunks).length >= want.length) { counted = true; if (++echoed === o.n) res(); }
        });
        s.on('end', () => resolve(Buffer.concat(chunks).equals(want)));
        s.on('error', () => resolve(false));
      }));
    }
  });
  const timeout = new Promise<void>((res) => setTimeout(res, o.timeoutMs ?? 60000));
  await Promise.race([allEchoed, timeout]);
  const openAtOnce = echoed;
  if (o.holdFile) {
    process.stdout.write('ready\n');
    while (!existsSync(o.holdFile)) await new Promise((r) => setTimeout(r, 50));
  }
  for (const s of socks) s.end();
  const ok = (await Promise.race([Promise.all(results), timeout.then(() => null)])) ?? [];
  done({ n: o.n, openAtOnce, ok: ok.filter(Boolean).length, ms: now() - t0 });
}

async function main() {
  switch (mode) {
    case 'serve': return serve();
    case 'clients': return clients();
    case 'halfclose': {
      // Everything is sent and the write side shut; the reply comes only after the EOF.
      const data = randomBytes(o.bytes);
      const r = await exchange(o.host, o.port, data, true, o.timeoutMs ?? 20000);
      return done({ outcome: r.outcome, reply: r.data.toString(), want: { bytes: data.length, sha: sha(data) } });
    }
    case 'expect': {
      // With `resetAfterEcho`: once `send` came back, the client resets its connection.
      if (o.resetAfterEcho) {
        const s = net.connect({ host: o.host, port: o.port });
        s.on('connect', () => s.write(o.send));
        s.on('data', () => { s.resetAndDestroy(); done({ outcome: 'did-reset' }); });
        s.on('error', (e) => done({ outcome: 'error', error: String(e) }));
        setTimeout(() => done({ outcome: 'timeout' }), o.timeoutMs ?? 10000);
        return;
      }
      const r = await exchange(o.host, o.port, Buffer.from(o.send ?? ''), false, o.timeoutMs ?? 10000);
      return done({ outcome: r.outcome, data: r.data.toString('latin1'), ms: r.ms });
    }
    case 'raw': {
      // Handshakes (or bytes) straight to the server, sequentially: one result per item. After
      // the handshake: `payload` (text) or `payloadHex`; `end`: then shut the sending side.
      const out = [];
      const bytes = (it: Record<string, unknown>) => (it.hex ? Buffer.from(it.hex as string, 'hex') : handshake(it as never));
      for (const it of o.items as Record<string, unknown>[]) {
        const payload = it.payloadHex ? Buffer.from(it.payloadHex as string, 'hex') : Buffer.from((it.payload as string) ?? '');
        const r = await exchange(o.host, o.port, Buffer.concat([bytes(it), payload]), it.end === true, (it.timeoutMs as number) ?? 10000);
        out.push({ outcome: r.outcome, status: r.data.length ? r.data[0] : null, rest: r.data.subarray(1).toString('latin1'), ms: r.ms });
      }
      return done(out);
    }
    case 'fuzz': {
      const cases = fuzzCases(o);
      const counts: Record<string, number> = {};
      let answered = 0, next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const r = await exchange(o.host, o.port, cases[next++], true, 15000);
          counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
          if (r.data.length) answered++;
        }
      };
      await Promise.all(Array.from({ length: o.concurrency ?? 50 }, worker));
      return done({ cases: cases.length, counts, answered });
    }
    case 'halfopen': {
      // `n` connections that send the start of a handshake and then nothing.
      const t0 = now();
      const closedAt: number[] = [];
      await new Promise<void>((res) => {
        for (let i = 0; i < o.n; i++) {
          const s = net.connect({ host: o.host, port: o.port });
          s.on('connect', () => s.write(Buffer.from(o.hex ?? '', 'hex')));
          s.on('data', () => undefined);
          s.on('close', () => { closedAt.push(now() - t0); if (closedAt.length === o.n) res(); });
          s.on('error', () => undefined);
        }
        setTimeout(res, o.timeoutMs ?? 20000);
      });
      closedAt.sort((a, b) => a - b);
      return done({ n: o.n, closed: closedAt.length, firstMs: closedAt[0] ?? null, lastMs: closedAt.at(-1) ?? null });
    }
    default: throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
