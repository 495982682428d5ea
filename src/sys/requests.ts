// The channel through which `mpwan apply`, ubus `reload` and `set_uplink` hand their work to
// the running daemon: a request file in the run dir and SIGHUP (the daemon's reload signal,
// the same number on every Linux architecture), then the daemon's answer file. Files are
// written by rename, so each side reads a whole one or none. Named after the requesting
// process, so what a process that died left behind can be swept.
import type { Runtime } from './runtime.js';
import { runDir } from './paths.js';

export interface Request {
  id: string;
  /** The requesting process. */
  pid: number;
  body: unknown;
}

const REQUEST = /^request-(\d+)-([0-9a-f]{8})\.json$/;
const ANSWER = /^answer-(\d+)-([0-9a-f]{8})\.json$/;
const file = (rt: Runtime, kind: 'request' | 'answer', id: string) => `${runDir(rt)}/${kind}-${id}.json`;
const alive = (rt: Runtime, pid: number) => rt.exists(`/proc/${pid}`);

function readJson(rt: Runtime, path: string): unknown {
  try {
    return JSON.parse(rt.readFile(path) ?? 'null');
  } catch {
    return null;
  }
}

/** Leaves a request for the daemon; returns its id. */
export function postRequest(rt: Runtime, pid: number, body: unknown): string {
  const id = `${pid}-${[...rt.randomBytes(4)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  rt.writeFileAtomic(file(rt, 'request', id), JSON.stringify(body) + '\n', 0o600);
  return id;
}

/** Takes a request back; false when the daemon already took it. */
export function withdrawRequest(rt: Runtime, id: string): boolean {
  const path = file(rt, 'request', id);
  if (!rt.exists(path)) return false;
  rt.removeFile(path);
  return true;
}

/** Every waiting request (in name order), removed from the run dir. */
export function takeRequests(rt: Runtime): Request[] {
  const out: Request[] = [];
  for (const name of rt.listDir(runDir(rt)) ?? []) {
    const m = REQUEST.exec(name);
    if (!m) continue;
    const path = `${runDir(rt)}/${name}`;
    const body = readJson(rt, path);
    rt.removeFile(path);
    if (body !== null) out.push({ id: `${m[1]}-${m[2]}`, pid: Number(m[1]), body });
  }
  return out;
}

/** Answers a request (unless its process has gone: nobody would read it). */
export function postAnswer(rt: Runtime, r: Request, body: unknown) {
  if (alive(rt, r.pid)) rt.writeFileAtomic(file(rt, 'answer', r.id), JSON.stringify(body) + '\n', 0o600);
}

/** The answer to request `id` once there is one (removed as it is read), else undefined. */
export function takeAnswer(rt: Runtime, id: string): unknown {
  const path = file(rt, 'answer', id);
  if (!rt.exists(path)) return undefined;
  const body = readJson(rt, path);
  rt.removeFile(path);
  return body;
}

/** Removes requests and answers of processes that have gone (killed while they waited). */
export function sweepRequests(rt: Runtime) {
  for (const name of rt.listDir(runDir(rt)) ?? []) {
    const m = REQUEST.exec(name) ?? ANSWER.exec(name);
    if (m && !alive(rt, Number(m[1]))) rt.removeFile(`${runDir(rt)}/${name}`);
  }
}
