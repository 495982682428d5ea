// Drives the qjs Runtime from tests: `qjs build/test/runtime-probe.js <case> [args]` prints
// one JSON result. Built from the same src/sys/qjs.ts the router bundles contain.
import * as std from 'std';
import { qjsRuntime as rt } from '../../../src/sys/qjs/runtime.js';
import { TcpProber } from '../../../src/sys/tcp-prober.js';

declare const scriptArgs: string[];
const [, which, ...args] = scriptArgs;

async function probe(): Promise<unknown> {
  switch (which) {
    case 'exec': {
      // args: timeoutMs, input ('-' for none), argv...
      const [timeout, input, ...argv] = args;
      const t0 = rt.monotonicMs();
      const r = await rt.exec(argv, { timeoutMs: Number(timeout), ...(input === '-' ? {} : { input: std.loadFile(input) ?? '' }) });
      return { ...r, stdoutLength: r.stdout.length, stdout: r.stdout.length > 1000 ? r.stdout.slice(0, 100) : r.stdout, ms: rt.monotonicMs() - t0 };
    }
    case 'exec-parallel': {
      const rs = await Promise.all(args.map((a) => rt.exec(['sh', '-c', a])));
      return { results: rs.map((r) => r.stdout.trim()) };
    }
    case 'write-atomic': {
      const [path, data, mode] = args;
      rt.writeFileAtomic(path, data, Number(mode));
      return { content: rt.readFile(path), dir: rt.listDir(path.replace(/\/[^/]*$/, '')) };
    }
    case 'read': return { content: rt.readFile(args[0]) };
    case 'listdir': return { names: rt.listDir(args[0]) };
    case 'mkdir': rt.makeDir(args[0]); return { exists: rt.exists(args[0]) };
    case 'log': await rt.log('notice', args[0]); return { ok: true };
    case 'channel': {
      // A helper fed through spawnChannel: `cat` answers every line it is sent.
      const lines: string[] = [];
      let exit: number | null = null;
      const c = rt.spawnChannel(['cat'], (l) => lines.push(l), (s) => { exit = s; });
      for (const a of args) c.write(`${a}\n`);
      while (lines.length < args.length) await rt.sleep(5);
      c.stop();
      while (exit === null) await rt.sleep(5);
      return { lines, exit, writeAfterExit: c.write('late\n') };
    }
    case 'lock': {
      // args: path, timeoutMs, holdMs, marker: takes the lock, writes the marker file, holds the
      // lock holdMs (0: until killed), removes the marker, releases.
      const [path, timeout, hold, marker] = args;
      const release = await rt.lockFile(path, Number(timeout));
      if (!release) return { locked: false };
      const markerBefore = rt.exists(marker);
      rt.writeFileAtomic(marker, 'held');
      std.err.puts('locked\n');
      std.err.flush();
      await rt.sleep(Number(hold) || 1e9);
      rt.removeFile(marker);
      release();
      return { locked: true, markerBefore };
    }
    case 'tcp-prober': {
      // args: source, host, then ports: one connect each, all at once, through one prober.
      const [source, host, ...ports] = args;
      const prober = new TcpProber(rt);
      const results = await Promise.all(ports.map((p) => prober.connect(source, host, Number(p), 2)));
      prober.stop();
      return { results };
    }
    default: throw new Error(`unknown probe ${which}`);
  }
}

probe().then(
  (v) => { rt.stdout(JSON.stringify(v) + '\n'); std.exit(0); },
  (e) => { rt.stdout(JSON.stringify({ error: String(e) }) + '\n'); std.exit(1); },
);
