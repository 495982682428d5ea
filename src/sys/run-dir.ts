// MPWAN_RUN_DIR (/var/run/mpwan): every file the daemon and the CLI share goes through here.
// Nothing in it holds a secret except the engine's config and key files, written 0600.
import type { Reader, Runtime } from './runtime.js';
import type { DaemonState } from '../model/daemon-state.js';
import type { HealthFile } from '../model/health.js';
import type { OwnedState } from '../model/plan.js';
import { runDir } from './paths.js';

const path = (rt: Reader, name: string) => `${runDir(rt)}/${name}`;

export const runPath = {
  /** The proxy engine's own config file (0600: it may hold the password). */
  engineConfig: (rt: Reader) => path(rt, 'proxy.json'),
  /** The relay's key (0600). */
  relayKey: (rt: Reader) => path(rt, 'relay.key'),
  relayPaths: (rt: Reader) => path(rt, 'relay-paths'),
  /** What every engine's files are, for planProxy. */
  engine: (rt: Reader) => ({
    config: path(rt, 'proxy.json'), key: path(rt, 'relay.key'), stats: path(rt, 'relay-stats.json'), paths: path(rt, 'relay-paths'),
  }),
  relayStats: (rt: Reader) => path(rt, 'relay-stats.json'),
  proxyLog: (rt: Reader, instance: number) => path(rt, `proxy-${instance}.log`),
};

function readJson<T>(rt: Reader, name: string, valid: (v: unknown) => v is T): T | null {
  try {
    const v: unknown = JSON.parse(rt.readFile(path(rt, name)) ?? 'null');
    return valid(v) ? v : null;
  } catch {
    return null;
  }
}

/** Atomic write; a vanished run dir (a stop racing a write) is not an error worth reporting. */
function writeJson(rt: Runtime, name: string, value: unknown, mode = 0o644) {
  try {
    rt.writeFileAtomic(path(rt, name), JSON.stringify(value) + '\n', mode);
  } catch { /* nothing to report to */ }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function makeRunDir(rt: Runtime) {
  rt.makeDir(runDir(rt), 0o755);
}

/** Writes a file only root may read (the engine's config, the relay key). */
export function writeSecretFile(rt: Runtime, file: string, text: string) {
  rt.writeFileAtomic(file, text, 0o600);
}

// ---- daemon.pid: which daemon runs ----

export function writeDaemonPid(rt: Runtime, pid: number) {
  rt.writeFileAtomic(path(rt, 'daemon.pid'), `${pid}\n`);
}

/**
 * On stop, what only the running service needs: its own files, the engine's (the relay key, the
 * config that may hold the password) and the proxies' logs. What stays: owned.json, and
 * daemon.json (how the daemon ended).
 */
export function removeDaemonFiles(rt: Runtime) {
  const e = runPath.engine(rt);
  for (const name of ['daemon.pid', 'state.json', 'status.json', 'proxies.json']) rt.removeFile(path(rt, name));
  for (const file of [e.config, e.key, e.stats, e.paths]) rt.removeFile(file);
  for (const name of rt.listDir(runDir(rt)) ?? []) if (/^proxy-\d+\.log$/.test(name)) rt.removeFile(path(rt, name));
}

/** The daemon's pid if one runs (the pid file may be stale after a kill -9). */
export function daemonPid(rt: Reader): number | null {
  const pid = Number((rt.readFile(path(rt, 'daemon.pid')) ?? '').trim());
  if (!Number.isInteger(pid) || pid <= 1) return null;
  const cmdline = rt.readFile(`/proc/${pid}/cmdline`) ?? '';
  return cmdline.split('\0').includes('daemon') && cmdline.includes('mpwan') ? pid : null;
}

// ---- daemon.json: the daemon's own report ----

export const writeDaemonState = (rt: Runtime, s: DaemonState) => writeJson(rt, 'daemon.json', s);

export function readDaemonState(rt: Reader): DaemonState | null {
  if (daemonPid(rt) === null) return null;
  return readJson(rt, 'daemon.json', (v): v is DaemonState => isObject(v) && typeof v.pid === 'number');
}

// ---- state.json: each uplink's health ----

export const writeHealth = (rt: Runtime, uplinks: HealthFile['uplinks']) => writeJson(rt, 'state.json', { updated: rt.nowSeconds(), uplinks });

/** The running daemon's health view; null when no daemon runs (a stale file means nothing). */
export function readHealth(rt: Reader): HealthFile | null {
  if (daemonPid(rt) === null) return null;
  return readJson(rt, 'state.json', (v): v is HealthFile => isObject(v) && isObject(v.uplinks));
}

// ---- status.json: the status report as of the daemon's last re-plan ----

export const writeStatusBasis = <T>(rt: Runtime, report: T) => writeJson(rt, 'status.json', report);

export function readStatusBasis<T>(rt: Reader): T | null {
  return readJson(rt, 'status.json', (v): v is T => isObject(v));
}

// ---- owned.json: what mpwan added, so it deletes only its own ----

export function readOwned(rt: Reader): OwnedState {
  return readJson(rt, 'owned.json', (v): v is OwnedState => isObject(v) && Array.isArray(v.endpoints)) ?? { endpoints: [] };
}

export function writeOwned(rt: Runtime, state: OwnedState) {
  makeRunDir(rt);
  rt.writeFileAtomic(path(rt, 'owned.json'), JSON.stringify(state) + '\n');
}

// ---- proxies.json: running proxies a restarted daemon may adopt ----

/** `launch` is a digest of the launch (argv and config), never the config itself. */
export interface ProxyRecord { launch: string; pids: number[] }

export function readProxyRecord(rt: Reader): ProxyRecord | null {
  return readJson(rt, 'proxies.json', (v): v is ProxyRecord => isObject(v) && typeof v.launch === 'string' &&
    Array.isArray(v.pids) && v.pids.every((p) => Number.isInteger(p) && p > 1));
}

export const writeProxyRecord = (rt: Runtime, r: ProxyRecord) => writeJson(rt, 'proxies.json', r);

/** The recorded proxies still running: those whose argv names a file of this run dir (pids are reused). */
export function runningRecordedProxies(rt: Reader): number[] {
  const dir = `${runDir(rt)}/`;
  return (readProxyRecord(rt)?.pids ?? []).filter((pid) => (rt.readFile(`/proc/${pid}/cmdline`) ?? '').split('\0').some((a) => a.startsWith(dir)));
}
