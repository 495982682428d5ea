// A Runtime with a hand-driven clock for the daemon's units: timers fire as the test moves
// the clock; exec answers from a function; `ping -i` streams are simulated on the same clock
// (one echo per interval, a reply line after the round trip when the target answers), and so
// is the TCP probe helper (`mpwan-relay probe`: a request line in, an answer line out). Files
// written live in memory; a lock is had at once; `nft monitor` prints what the test says;
// spawned programs run until the test ends them.
import type { ExecOptions, ExecResult, Runtime } from '../../../src/sys/runtime.js';

export interface FakePing {
  argv: string[];
  source: string;
  target: string;
  stopped: boolean;
}

export interface FakeOptions {
  exec?: (argv: string[], options?: ExecOptions) => ExecResult;
  /** Round trip of an echo from `source` to `target` in ms, or null when it is lost. */
  echo?: (source: string, target: string) => number | null;
  /** Lines a new ping prints before exiting at once (a ping that cannot stream), else null. */
  pingFails?: (argv: string[]) => { lines: string[]; status: number } | null;
  /**
   * A TCP connect through the probe helper (`mpwan-relay probe`): true for a handshake, false
   * for a refusal, null for no answer before the timeout. By default every connect succeeds.
   */
  connect?: (source: string, host: string, port: number) => boolean | null | 'hang';
  /** The probe helper is not installed (it exits 127 at once, as execvp's child does). */
  noHelper?: boolean;
  /** `ip monitor link` cannot run (carrier is then read every round). */
  noLinkEvents?: boolean;
  /** Files the fake serves before its own (carrier files default to "1"). */
  files?: (path: string) => string | null | undefined;
  env?: Record<string, string>;
  /** A spawned program that exits at once: its status (else it runs until killed). */
  exitsAtOnce?: (argv: string[]) => number | null;
}

export interface FakeConnect { source: string; host: string; port: number; at: number }

export function fakeRuntime(o: FakeOptions = {}) {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  const pings: FakePing[] = [];
  const connects: FakeConnect[] = [];
  let helpers = 0;
  const linkMonitors: { onLine: (l: string) => void; stopped: boolean }[] = [];
  /** The kernel announces a change of `dev` (as `ip -o monitor link` prints it). */
  const linkEvent = (dev: string) => {
    for (const m of linkMonitors) if (!m.stopped) m.onLine(`7: ${dev}@if6: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \\    link/ether 02:00:00:00:00:07 brd ff:ff:ff:ff:ff:ff`);
  };
  const logs: string[] = [];
  const killed: number[] = [];
  /** Files written (path -> text). */
  const fs = new Map<string, string>();
  /** Programs started with spawn(), by pid; `exited` once the test ends one (or it is killed). */
  const spawned = new Map<number, { argv: string[]; env?: Record<string, string>; exited: number | null }>();
  let nextPid = 5000;
  const signals = new Map<number, () => void>();
  /** Locks held (no one else contends here). */
  const locks: string[] = [];
  const nftMonitors: { onLine: (l: string) => void; stopped: boolean }[] = [];
  const children = (dir: string) => [...new Set([...fs.keys()].filter((k) => k.startsWith(`${dir}/`)).map((k) => k.slice(dir.length + 1).split('/')[0]))].sort();
  const setTimer = (fn: () => void, ms: number) => { const t = { at: now + Math.max(0, ms), fn }; timers.push(t); return t; };
  const answer = o.exec ?? (() => ok());
  const rt = {
    monotonicMs: () => now,
    nowSeconds: () => Math.floor(now / 1000),
    readFile: (p: string) => { const f = o.files?.(p); return f !== undefined ? f : fs.get(p) ?? (p.endsWith('/carrier') ? '1\n' : null); },
    writeFile: (p: string, data: string) => { fs.set(p, data); },
    writeFileAtomic: (p: string, data: string) => { fs.set(p, data); },
    removeFile: (p: string) => { fs.delete(p); },
    listDir: (dir: string) => children(dir),
    exists: (p: string) => (o.files?.(p) ?? fs.get(p)) != null || children(p).length > 0,
    fileStat: (p: string) => (fs.has(p) ? { mode: 0o600, size: fs.get(p)!.length } : null),
    makeDir: () => {},
    env: (name: string) => o.env?.[name],
    sleep: (ms: number) => new Promise<void>((resolve) => setTimer(resolve, ms)),
    spawn: (argv: string[], options: { env?: Record<string, string> } = {}) => { const pid = ++nextPid; spawned.set(pid, { argv, env: options.env, exited: o.exitsAtOnce?.(argv) ?? null }); return pid; },
    reap: (pid: number) => spawned.get(pid)?.exited ?? null,
    onSignal: (sig: number, fn: () => void) => { signals.set(sig, fn); },
    lockFile: async (path: string) => { locks.push(path); return () => { locks.splice(locks.indexOf(path), 1); }; },
    randomBytes: (n: number) => Uint8Array.from({ length: n }, (_, i) => (nextPid + i) & 0xff),
    exec: async (argv: string[], options?: ExecOptions) => answer(argv, options),
    setTimer,
    clearTimer: (t: unknown) => { timers = timers.filter((x) => x !== t); },
    log: async (level: string, message: string) => { logs.push(`${level}: ${message}`); },
    spawnLines(argv: string[], onLine: (l: string) => void, onExit: (status: number) => void) {
      if (argv[0] === 'ip' || argv[0] === 'nft') { // `ip -o monitor link`, `nft monitor`: their lines come from linkEvent(), nftEvent()
        if (argv[0] === 'ip' && o.noLinkEvents) { setTimer(() => onExit(127), 1); return { pid: 3000, stop() {} }; }
        const m = { onLine, stopped: false };
        const list = argv[0] === 'ip' ? linkMonitors : nftMonitors;
        list.push(m);
        return { pid: 3000 + list.length, stop() { m.stopped = true; setTimer(() => onExit(-15), 1); } };
      }
      const target = argv[argv.length - 1];
      const source = argv[argv.indexOf('-I') + 1];
      const intervalMs = Number(argv[argv.indexOf('-i') + 1]) * 1000;
      const p: FakePing = { argv, source, target, stopped: false };
      pings.push(p);
      const fail = o.pingFails?.(argv);
      if (fail) {
        setTimer(() => { for (const l of fail.lines) onLine(l); onExit(fail.status); }, 5);
        return { pid: 1000 + pings.length, stop() {} };
      }
      let seq = 1; // iputils numbers from 1
      const send = () => {
        if (p.stopped) return;
        const s = seq++;
        const rtt = (o.echo ?? (() => 1))(source, target);
        if (rtt !== null) setTimer(() => { if (!p.stopped) onLine(`64 bytes from ${target}: icmp_seq=${s} ttl=64 time=${rtt} ms`); }, rtt);
        setTimer(send, intervalMs);
      };
      send();
      return { pid: 1000 + pings.length, stop() { p.stopped = true; setTimer(() => onExit(-15), 1); } };
    },
    kill: (pid: number, sig: number) => {
      killed.push(pid);
      const p = spawned.get(pid);
      if (p && p.exited === null && sig !== 1 && sig !== 0) p.exited = -sig;
    },
    spawnChannel(argv: string[], onLine: (l: string) => void, onExit: (status: number) => void) {
      helpers++;
      let gone = false;
      if (o.noHelper || argv[0] !== 'mpwan-relay') {
        setTimer(() => onExit(127), 1);
        return { pid: 2000 + helpers, stop() {}, write: () => false };
      }
      return {
        pid: 2000 + helpers,
        stop() { gone = true; setTimer(() => onExit(-15), 1); },
        write(text: string) {
          if (gone) return false;
          const [id, source, host, port, timeoutMs] = text.trim().split(' ');
          connects.push({ source, host, port: Number(port), at: now });
          const r = (o.connect ?? (() => true))(source, host, Number(port));
          if (r === 'hang') return true; // a wedged helper: never answers
          setTimer(() => { if (!gone) onLine(r === null ? `${id} fail timed out` : r ? `${id} ok 1` : `${id} fail Connection refused`); }, r === null ? Number(timeoutMs) : 1);
          return true;
        },
      };
    },
  } as unknown as Runtime;

  /** Moves the clock on by `ms`, firing due timers in order and letting their promises settle. */
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    now = until;
  };
  /** Something changed table inet mpwan (as `nft monitor` prints it). */
  const nftEvent = (line: string) => { for (const m of nftMonitors) if (!m.stopped) m.onLine(line); };
  /** The signal handler for `sig` runs (as when a process sends it). */
  const signal = (sig: number) => signals.get(sig)?.();
  return { rt, advance, pings, logs, connects, killed, linkEvent, linkMonitors, nftEvent, nftMonitors, fs, spawned, signal, locks, helpers: () => helpers, now: () => now };
}

export const ok = (stdout = ''): ExecResult => ({ argv: [], status: 0, stdout, stderr: '', timedOut: false });
export const refused: ExecResult = { argv: [], status: 1, stdout: '', stderr: 'E connect(): Connection refused', timedOut: false };
export const missing: ExecResult = { argv: [], status: 127, stdout: '', stderr: '', timedOut: false };
