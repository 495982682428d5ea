// `mpwan` command line. The only place that turns results and errors into exit codes:
// 0 ok, 1 runtime failure, 2 invalid config or usage.
import type { Runtime } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { reconcile, loadConfig, type ApplyReport } from '../engine/reconcile.js';
import { collectStatus } from '../status/status.js';
import { formatStatus } from './format.js';
import { VERSION } from '../version.js';
import { runDaemon } from '../daemon/daemon.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { removeLeftoverNft, removeNft } from '../sys/nft.js';
import { SIGHUP, SIGTERM } from '../sys/runtime.js';
import { runServer } from '../server/cli.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const USAGE = `Usage: mpwan <command> [options]

Commands:
  apply [--dry-run] [--json]  make the kernel match /etc/config/mpwan and netifd
                              (--dry-run prints the plan and changes nothing)
  stop [--json]               stop the daemon and remove everything mpwan set up
                              (endpoints, rules, routes, nft table, proxies)
  reload                      make a running daemon re-read the config (else: apply)
  daemon                      run in the foreground as the service (procd runs this)
  status [--json]             uplinks, endpoints, limits, MPTCP counters, proxy
  check                       validate the config file only
  server setup [options]      set up this Linux machine as the aggregation server
  server import <ss://...>    write the server printed by 'server setup' into the config
  version                     print the version
`;

function parseFlags(args: string[], allowed: string[]): Set<string> | string {
  const flags = new Set<string>();
  for (const a of args) {
    if (!allowed.includes(a)) return `unknown option '${a}'`;
    flags.add(a);
  }
  return flags;
}

function errorJson(e: MpwanError) {
  return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
}

function reportJson(r: ApplyReport, dryRun: boolean) {
  return {
    dry_run: dryRun,
    applied: r.applied,
    changes: r.descriptions,
    warnings: r.warnings,
    ...(r.failure ? {
      error: {
        code: 'apply_failed',
        message: `${r.failure.error.message}; previous state restored`,
        failed_change: r.descriptions[r.changes.indexOf(r.failure.change)],
        rollback_errors: r.failure.rollbackErrors,
      },
    } : {}),
  };
}

async function runApply(rt: Runtime, flags: Set<string>, stop: boolean): Promise<number> {
  const dryRun = flags.has('--dry-run');
  const json = flags.has('--json');
  const override = stop ? (c: Config): Config => ({ ...c, globals: { ...c.globals, enabled: false } }) : undefined;
  const r = await reconcile(rt, { dryRun, override });
  if (json) {
    rt.stdout(JSON.stringify(reportJson(r, dryRun)) + '\n');
  } else {
    for (const w of r.warnings) rt.stderr(`mpwan: warning: ${w}\n`);
    if (r.changes.length === 0) rt.stdout('Nothing to change: the kernel matches the plan.\n');
    else rt.stdout(`${dryRun ? 'Would apply' : 'Applying'} ${r.changes.length} change(s):\n${r.descriptions.map((d) => `  ${d}\n`).join('')}`);
  }
  if (r.failure) {
    const f = r.failure;
    const msg = `failed: ${f.error.message}; previous state restored` +
      (f.rollbackErrors.length > 0 ? ` (except: ${f.rollbackErrors.join('; ')})` : '');
    if (!json) rt.stderr(`mpwan: ${msg}\n`);
    await rt.log('err', `apply ${msg}`);
    return EXIT_FAILURE;
  }
  if (!dryRun && r.changes.length > 0) {
    await rt.log('notice', `${stop ? 'stop' : 'apply'}: ${r.changes.length} change(s): ${r.descriptions.join('; ')}`);
  }
  if (!dryRun) {
    // The daemon owns the proxies and the nft redirect: let it follow the config; without
    // one, nothing may keep redirecting LAN traffic to a proxy that is not running.
    const pid = stop ? null : await signalDaemon(rt, SIGHUP);
    if (pid === null) await (stop ? removeNft(rt) : removeLeftoverNft(rt));
  }
  return EXIT_OK;
}

export async function runCli(rt: Runtime, args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const wantsJson = rest.includes('--json');
  try {
    switch (command) {
      case 'apply': {
        const flags = parseFlags(rest, ['--dry-run', '--json']);
        if (typeof flags === 'string') throw new MpwanError('invalid_argument', flags);
        return await runApply(rt, flags, false);
      }
      case 'stop': {
        const flags = parseFlags(rest, ['--dry-run', '--json']);
        if (typeof flags === 'string') throw new MpwanError('invalid_argument', flags);
        if (!flags.has('--dry-run')) await signalDaemon(rt, SIGTERM, 5000);
        return await runApply(rt, flags, true);
      }
      case 'reload': {
        if (rest.length > 0) throw new MpwanError('invalid_argument', `unknown option '${rest[0]}'`);
        const pid = await signalDaemon(rt, SIGHUP);
        if (pid === null) return await runApply(rt, new Set(), false);
        rt.stdout(`Asked the daemon (pid ${pid}) to reload.\n`);
        return EXIT_OK;
      }
      case 'daemon':
        if (rest.length > 0) throw new MpwanError('invalid_argument', `unknown option '${rest[0]}'`);
        return await runDaemon(rt);
      case 'server':
        return await runServer(rt, rest);
      case 'status': {
        const flags = parseFlags(rest, ['--json']);
        if (typeof flags === 'string') throw new MpwanError('invalid_argument', flags);
        const s = await collectStatus(rt);
        rt.stdout(flags.has('--json') ? JSON.stringify(s) + '\n' : formatStatus(s));
        return EXIT_OK;
      }
      case 'check': {
        if (rest.length > 0) throw new MpwanError('invalid_argument', `unknown option '${rest[0]}'`);
        const c = loadConfig(rt);
        rt.stdout(`Config OK: ${c.uplinks.length} uplink(s).\n`);
        return EXIT_OK;
      }
      case 'version':
      case '--version':
        rt.stdout(`mpwan ${VERSION}\n`);
        return EXIT_OK;
      case 'help':
      case '--help':
      case '-h':
        rt.stdout(USAGE);
        return EXIT_OK;
      default:
        rt.stderr(command ? `mpwan: unknown command '${command}'\n\n${USAGE}` : USAGE);
        return EXIT_USAGE;
    }
  } catch (e) {
    const err = e instanceof MpwanError ? e : new MpwanError('internal', `internal error: ${(e as Error)?.stack ?? String(e)}`);
    if (wantsJson) rt.stdout(JSON.stringify(errorJson(err)) + '\n');
    else rt.stderr(`mpwan: ${err.message}\n`);
    return err.code === 'invalid_config' || err.code === 'invalid_argument' ? EXIT_USAGE : EXIT_FAILURE;
  }
}
