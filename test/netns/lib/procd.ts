// A stand-in for procd and rc.common, enough to run /etc/init.d/mpwan the way OpenWrt does.
// The init script is sourced by sh with procd.sh's functions replaced by ones that record
// what it asks for (as JSON lines); the instance then runs as procd would run it:
// - respawn: when the instance exits while procd owns it, it is started again after
//   respawn_timeout seconds (procd's `respawn threshold timeout retry`);
// - procd_kill (`ubus call service delete`): procd drops the instance, sends SIGTERM, and
//   SIGKILL after term_timeout seconds (5 when not set); nothing is respawned after that;
// - rc.common's stop(): stop_service, then procd_kill, then service_stopped when defined
//   (package/base-files/files/etc/rc.common).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from './topology.js';

/** procd.sh's functions as the init script calls them, recording into $PROCD_LOG. */
const PROCD_SH = `
procd_open_instance() { :; }
procd_close_instance() { echo '{"close":true}' >> "$PROCD_LOG"; }
procd_set_param() { t="$1"; shift; printf '{"param":"%s","args":[' "$t" >> "$PROCD_LOG"; s=''; for a in "$@"; do printf '%s"%s"' "$s" "$a" >> "$PROCD_LOG"; s=','; done; echo ']}' >> "$PROCD_LOG"; }
procd_add_reload_trigger() { :; }
procd_send_signal() { echo "{\\"signal\\":\\"$3\\"}" >> "$PROCD_LOG"; }
`;

export interface Instance { command: string[]; respawn: number[]; termTimeout: number }

export class Procd {
  private readonly dir = mkdtempSync(join(tmpdir(), 'mpwan-procd-'));
  private child: ChildProcess | null = null;
  private owned = false;
  private respawnTimer: NodeJS.Timeout | null = null;
  /** Every pid procd started for the instance, in order. */
  readonly started: number[] = [];

  /** `prog`: what $PROG runs (the installed CLI behind a wrapper); `env`: the router's environment. */
  constructor(private readonly topo: Topology, private readonly initScript: string, private readonly prog: string, private readonly env: Record<string, string>) {
    writeFileSync(join(this.dir, 'procd.sh'), PROCD_SH);
  }

  /** Runs one function of the init script in sh, as rc.common does (procd calls recorded). */
  call(fn: string): string[] {
    const log = join(this.dir, 'log');
    writeFileSync(log, '');
    const script = `. '${join(this.dir, 'procd.sh')}'; . '${this.initScript}'; PROG='${this.prog}'; ${fn}`;
    execFileSync('ip', ['netns', 'exec', this.topo.rtr, 'env', ...Object.entries({ ...this.env, PROCD_LOG: log }).map(([k, v]) => `${k}=${v}`), 'sh', '-c', script], { stdio: 'ignore' });
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  /** rc.common start(): start_service's instance, run the way procd runs it. */
  start(): Instance {
    const params = this.call('start_service').map((l) => JSON.parse(l) as { param?: string; args?: string[] });
    const get = (name: string) => params.find((p) => p.param === name)?.args ?? [];
    const inst = { command: get('command'), respawn: get('respawn').map(Number), termTimeout: Number(get('term_timeout')[0] ?? 5) };
    this.owned = true;
    this.run(inst);
    return inst;
  }

  private run(inst: Instance) {
    const child = this.topo.spawn(this.topo.rtr, inst.command, this.env, join(this.dir, 'daemon.log'));
    this.child = child;
    this.started.push(child.pid!);
    child.on('exit', () => {
      if (this.child === child) this.child = null;
      // procd respawns an instance it still owns after respawn_timeout.
      if (this.owned) this.respawnTimer = setTimeout(() => { this.respawnTimer = null; if (this.owned) this.run(inst); }, (inst.respawn[1] ?? 5) * 1000);
    });
  }

  /** procd_kill: procd drops the instance (no respawn), SIGTERM, SIGKILL after term_timeout. */
  kill(inst: Instance) {
    this.owned = false;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, inst.termTimeout * 1000).unref();
  }

  /** rc.common stop(): stop_service, procd_kill, service_stopped. */
  stop(inst: Instance) {
    this.call('stop_service');
    this.kill(inst);
    this.call('type service_stopped >/dev/null 2>&1 && service_stopped');
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Whether a respawn is due: decided when the instance exits, so nothing to wait for after that. */
  get respawnPending(): boolean {
    return this.respawnTimer !== null;
  }

  log(): string {
    try { return readFileSync(join(this.dir, 'daemon.log'), 'utf8'); } catch { return ''; }
  }

  cleanup() {
    this.owned = false;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A wrapper that runs the installed CLI under qjs, as the `#!/usr/bin/qjs` line does on the router. */
export function progWrapper(dir: string, qjs: string, bundle: string): string {
  const path = join(dir, 'mpwan');
  writeFileSync(path, `#!/bin/sh\nexec '${qjs}' '${bundle}' "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}
