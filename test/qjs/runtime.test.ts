// The runtime layer (src/sys/qjs.ts) under real qjs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qjsPath } from '../lib/qjs.js';
import { repoRoot } from '../lib/install.js';

describe('runtime layer under qjs', function () {
  let dir: string;
  before(() => {
    execFileSync('node', ['scripts/build.mjs'], { cwd: repoRoot });
    dir = mkdtempSync(join(tmpdir(), 'mpwan-rt-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function probe(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(qjsPath(), [join(repoRoot, 'build/test/runtime-probe.js'), ...args], {
      encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env },
    });
    assert.doesNotMatch(r.stderr, /unhandled promise rejection/i);
    return { ...JSON.parse(r.stdout), probeStderr: r.stderr };
  }
  const file = (name: string, content: string) => { const p = join(dir, name); writeFileSync(p, content); return p; };

  it('feeds stdin and reads stdout, UTF-8 both ways', () => {
    const r = probe(['exec', '5000', file('in.txt', 'grüße ✓ 𝄞\n'), 'cat']);
    assert.deepEqual([r.status, r.stdout, r.timedOut], [0, 'grüße ✓ 𝄞\n', false]);
  });

  it('streams megabytes of input and output without deadlock', () => {
    const big = 'x'.repeat(1023) + '\n';
    const r = probe(['exec', '20000', file('big.txt', big.repeat(3 * 1024)), 'cat']);
    assert.equal(r.status, 0);
    assert.equal(r.stdoutLength, 3 * 1024 * 1024);
    const out = probe(['exec', '20000', '-', 'head', '-c', String(5 << 20), '/dev/zero']);
    assert.equal(out.stdoutLength, 5 << 20);
  });

  it('captures stderr separately and returns non-zero exit codes', () => {
    const r = probe(['exec', '5000', '-', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([r.status, r.stdout, r.stderr], [3, 'out\n', 'err\n']);
  });

  it('reports a program that cannot be started as status 127', () => {
    assert.equal(probe(['exec', '5000', '-', 'mpwan-no-such-program']).status, 127);
  });

  it('kills a program at its timeout, even when a grandchild holds the pipe', () => {
    const r = probe(['exec', '300', '-', 'sh', '-c', 'sleep 30 & sleep 30']);
    assert.equal(r.timedOut, true);
    assert.equal(r.status, -9);
    assert.ok(r.ms < 5000, `returned after ${r.ms} ms`);
  });

  it('a child that stops reading its input does not kill the caller (SIGPIPE)', () => {
    const r = probe(['exec', '5000', file('huge.txt', 'y'.repeat(2 << 20)), 'true']);
    assert.equal(r.status, 0);
  });

  it('runs programs concurrently', () => {
    assert.deepEqual(probe(['exec-parallel', 'sleep 0.2; echo a', 'echo b']).results, ['a', 'b']);
  });

  it('writes atomically: new content, requested mode, no temporary file left', () => {
    const p = join(dir, 'state.json');
    writeFileSync(p, 'old');
    const r = probe(['write-atomic', p, '{"new":true}', String(0o600)]);
    assert.equal(r.content, '{"new":true}');
    assert.ok(!r.dir.some((n: string) => n.includes('.tmp')), r.dir.join(','));
    const q = join(dir, 'secret.json');
    probe(['write-atomic', q, 's', String(0o600)]);
    assert.equal(statSync(q).mode & 0o777, 0o600);
  });

  it('reads /proc files (which report size 0) and missing files as null', () => {
    assert.match(probe(['read', '/proc/sys/net/mptcp/enabled']).content, /^[01]\n$/);
    assert.equal(probe(['read', join(dir, 'missing')]).content, null);
  });

  it('lists directories and makes nested ones', () => {
    mkdirSync(join(dir, 'l'));
    writeFileSync(join(dir, 'l/b'), '');
    symlinkSync('b', join(dir, 'l/a'));
    assert.deepEqual(probe(['listdir', join(dir, 'l')]).names, ['a', 'b']);
    assert.equal(probe(['listdir', join(dir, 'nope')]).names, null);
    assert.equal(probe(['mkdir', join(dir, 'x/y/z')]).exists, true);
  });

  it('logs to stderr when logger is not installed', () => {
    const bin = join(dir, 'nologger');
    mkdirSync(bin, { recursive: true });
    const r = probe(['log', 'hello from test'], { PATH: bin });
    assert.equal(r.ok, true);
    assert.match(r.probeStderr, /mpwan: notice: hello from test/);
  });

  it('talks to a helper through spawnChannel: lines in, lines out; a write after it ended fails', () => {
    const r = probe(['channel', 'one', 'two ✓']);
    assert.deepEqual(r.lines, ['one', 'two ✓']);
    assert.equal(r.writeAfterExit, false);
  });

  it('TCP probes go through one mpwan-relay probe: a handshake, a refusal; without it, socat', async () => {
    execFileSync('make', ['-s', '-C', join(repoRoot, 'src/relay')], { stdio: 'ignore' });
    const { createServer } = await import('node:net');
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const open = (server.address() as { port: number }).port;
    const closed = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    try {
      const withHelper = await probeAsync(['tcp-prober', '127.0.0.1', '127.0.0.1', String(open), String(closed)], { PATH: `${join(repoRoot, 'build/relay')}:${process.env.PATH}` });
      assert.equal(withHelper.results[0].ok, true);
      assert.deepEqual(withHelper.results[1], { ok: false, error: 'Connection refused' });
      // No mpwan-relay on PATH: each connect runs socat, with its own wording.
      const bin = join(dir, 'bin-no-relay');
      mkdirSync(bin, { recursive: true });
      symlinkSync(execFileSync('sh', ['-c', 'command -v socat'], { encoding: 'utf8' }).trim(), join(bin, 'socat'));
      const withoutHelper = await probeAsync(['tcp-prober', '127.0.0.1', '127.0.0.1', String(open), String(closed)], { PATH: bin });
      assert.equal(withoutHelper.results[0].ok, true);
      assert.equal(withoutHelper.results[1].ok, false);
      assert.match(withoutHelper.results[1].error, /refused/i);
    } finally {
      server.close();
    }
  });

  it('lockFile: one holder at a time; a holder that dies (kill -9) releases the lock', async () => {
    const lock = join(dir, 'lock');
    const marker = join(dir, 'held');
    const holder = spawn(qjsPath(), [join(repoRoot, 'build/test/runtime-probe.js'), 'lock', lock, '5000', '0', marker], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => holder.stderr.on('data', (d) => { if (String(d).includes('locked')) resolve(); }));
    assert.deepEqual(probe(['lock', lock, '300', '1', join(dir, 'other')]), { locked: false, probeStderr: '' }, 'held by the first: not had in time');
    const waiter = probeAsync(['lock', lock, '20000', '1', join(dir, 'waiter')], {});
    holder.kill('SIGKILL'); // it never releases the lock itself
    assert.deepEqual(await waiter, { locked: true, markerBefore: false });
  });

  /** As probe(), without blocking this process (the test's own listener must keep answering). */
  function probeAsync(args: string[], env: Record<string, string>): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return new Promise((resolve, reject) => {
      const child = spawn(qjsPath(), [join(repoRoot, 'build/test/runtime-probe.js'), ...args], { env: { ...process.env, ...env } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('exit', () => { try { resolve(JSON.parse(out)); } catch { reject(new Error(`no answer: ${out} ${err}`)); } });
    });
  }
});
