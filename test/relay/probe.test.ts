// `mpwan-relay probe`, the daemon's TCP connects for its health probes (src/relay/probe.c):
// one answer per request from the source address asked for (handshake, refusal, timeout
// through a silently dead uplink), a bad or overlong line answered "bad" without harm, 5,000
// fuzzed lines survived, EOF ends it. Release and ASan/UBSan builds (any report fails).
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sweepStale } from '../netns/lib/topology.js';
import { waitListening } from '../netns/lib/wait.js';
import { ASAN_ENV, alive, relayBinary } from './lib/relay.js';

const OPEN = 7101;
const CLOSED = 7102;
const RELAY = 7103;

/** The helper in a namespace, with its answers collected line by line. */
class Helper {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(ns: string, binary: string, env: Record<string, string>) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), binary, 'probe']);
    let pending = '';
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const parts = (pending + d).split('\n');
      pending = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => { resolve(code); for (const w of this.waiters.splice(0)) w(); }));
  }

  /** Sends `text` and resolves once `count` more answer lines arrived (or the helper ended). */
  async ask(text: string, count: number): Promise<string[]> {
    const from = this.lines.length;
    this.child.stdin.write(text);
    while (this.lines.length < from + count && this.child.exitCode === null) await new Promise<void>((r) => this.waiters.push(r));
    return this.lines.slice(from, from + count);
  }
}

for (const build of ['release', 'asan'] as const) {
  describe(`mpwan-relay probe: TCP connects for the health probes (${build} build)`, function () {
    this.timeout(60000);
    let topo: Topology;
    let helper: Helper;
    const src = (i: number) => topo.wans[i].addr;

    before(() => {
      sweepStale();
      topo = new Topology({ wans: 2 });
      topo.spawn(topo.vps, ['socat', `TCP-LISTEN:${OPEN},fork,reuseaddr`, '/dev/null']);
      waitListening(topo, topo.vps, OPEN);
      // As the daemon routes probes: each uplink's source address through its own table.
      topo.wans.forEach((w, i) => {
        topo.ip(topo.rtr, 'route', 'replace', 'default', 'via', w.gw, 'dev', w.dev, 'table', String(300 + i));
        topo.ip(topo.rtr, 'rule', 'add', 'from', w.addr, 'lookup', String(300 + i), 'pref', String(300 + i));
      });
      helper = new Helper(topo.rtr, relayBinary(build), build === 'asan' ? ASAN_ENV : {});
    });
    after(() => {
      helper?.child.kill('SIGKILL');
      topo?.destroy();
    });

    it('answers a handshake with its time, a closed port with the refusal, each from the source asked for', async () => {
      const a = await helper.ask(`1 ${src(0)} ${topo.server} ${OPEN} 2000\n2 ${src(1)} ${topo.server} ${OPEN} 2000\n3 ${src(0)} ${topo.server} ${CLOSED} 2000\n`, 3);
      assert.deepEqual(a.map((l) => l.replace(/ ok \d+$/, ' ok')).sort(), ['1 ok', '2 ok', '3 fail Connection refused']);
    });

    it('times out through a silently dead uplink while the other answers', async () => {
      topo.silence(topo.wans[0], true);
      try {
        const a = await helper.ask(`4 ${src(0)} ${topo.server} ${OPEN} 300\n5 ${src(1)} ${topo.server} ${OPEN} 2000\n`, 2);
        assert.match(a[0], /^5 ok \d+$/, 'the live uplink answers first');
        assert.equal(a[1], '4 fail timed out');
      } finally {
        topo.silence(topo.wans[0], false);
      }
    });

    it('with a key file: the server answering the signed handshake is ok, one closing it unanswered is "fail key"', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mpwan-probe-'));
      const key = (name: string, text: string, mode = 0o600) => { const f = join(dir, name); writeFileSync(f, text, { mode }); return f; };
      const right = key('right.key', `${'ab'.repeat(32)}\n`), wrong = key('wrong.key', `${'cd'.repeat(32)}\n`), open = key('open.key', `${'ab'.repeat(32)}\n`, 0o644);
      const server = topo.spawn(topo.vps, [relayBinary(build), 'server', '--listen', String(RELAY), '--key-file', right], build === 'asan' ? ASAN_ENV : {});
      try {
        waitListening(topo, topo.vps, RELAY);
        const a = await helper.ask([
          `21 ${src(0)} ${topo.server} ${RELAY} 2000 ${right}`, `22 ${src(1)} ${topo.server} ${RELAY} 2000 ${wrong}`,
          `23 ${src(0)} ${topo.server} ${OPEN} 2000 ${right}`, `24 ${src(0)} ${topo.server} ${RELAY} 2000 ${open}`,
          `25 ${src(0)} ${topo.server} ${RELAY} 2000 ${join(dir, 'none.key')}`, `26 ${src(0)} ${topo.server} ${CLOSED} 2000 ${right}`,
        ].join('\n') + '\n', 6);
        assert.deepEqual(a.map((l) => l.replace(/ ok \d+$/, ' ok')).sort(), [
          '21 ok',
          '22 fail key: the server closed the signed handshake unanswered',
          '23 fail key: the server closed the signed handshake unanswered', // not mpwan-relay: it never answers a status byte
          '24 fail key file: must be a regular file of mode 0600 or stricter',
          '25 fail key file: No such file or directory',
          '26 fail Connection refused',
        ]);
      } finally {
        try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* gone */ }
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('answers a request it cannot parse with "bad", and goes on', async () => {
      const bad = [
        'x 10.0.0.1 10.0.0.2 80 100', // id not a number
        '7 10.0.0.1 10.0.0.2 80', // a field short
        '8 10.0.0.1 10.0.0.2 80 100 /key extra', // a field too many
        `9 ${src(0)} ${topo.server} 0 100`, // port 0
        `10 ${src(0)} ${topo.server} 80 60001`, // timeout too long
        `11 ::1 ${topo.server} 80 100`, // families differ
        `12 ${src(0)} not-an-address 80 100`,
        '0 10.0.0.1 10.0.0.2 80 100', // id 0 is the "bad" answer's own
        '1234567890 10.0.0.1 10.0.0.2 80 100', // id over nine digits
      ];
      const a = await helper.ask(bad.join('\n') + '\n', bad.length);
      assert.ok(a.every((l) => /^0 bad request/.test(l)), a.join('\n'));
      const [long] = await helper.ask('9'.repeat(5000) + '\n', 1);
      assert.equal(long, '0 bad request (line too long)');
      const [ok] = await helper.ask(`13 ${src(0)} ${topo.server} ${OPEN} 2000\n`, 1);
      assert.match(ok, /^13 ok \d+$/);
    });

    it('survives 5,000 fuzzed lines, answering each at most once, and still works', async () => {
      const lines: string[] = [];
      for (let i = 0; i < 5000; i++) {
        const r = randomBytes(2 + (i % 300));
        const text = i % 3 === 0
          ? `${i + 100} ${src(0)} ${topo.server} ${r.readUInt16BE(0) % 3 === 0 ? CLOSED : r.readUInt16BE(0)} ${1 + (r[1] % 50)}`
          : r.toString('latin1').replace(/\n/g, ' ');
        lines.push(text);
      }
      helper.child.stdin.write(lines.join('\n') + '\n');
      const [ok] = await helper.ask(`99 ${src(0)} ${topo.server} ${OPEN} 5000\n`, 1);
      assert.ok(alive(helper.child.pid!), 'the helper is up');
      // Answers of fuzzed connects may still come in: wait for the final one.
      while (!helper.lines.some((l) => /^99 ok \d+$/.test(l))) await helper.ask('', 1);
      assert.ok(ok !== undefined);
      const ids = helper.lines.map((l) => l.split(' ')[0]).filter((id) => id !== '0');
      assert.equal(new Set(ids).size, ids.length, 'no request answered twice');
      assert.ok(helper.lines.every((l) => /^\d+ (ok \d+|fail .+|bad request.*)$/.test(l)), 'every answer is one well-formed line');
    });

    it('ends when its stdin closes (the daemon has gone), with status 0 and no sanitizer report', async () => {
      helper.child.stdin.end();
      assert.equal(await helper.exited, 0);
      assert.doesNotMatch(helper.stderr, /Sanitizer|runtime error/);
    });
  });
}
