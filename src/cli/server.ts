// `mpwan server setup` (on the VPS): the command-line side (import and remove: servers.ts).
import type { Runtime } from '../sys/runtime.js';
import { CONGESTION_CONTROLS, PROXY_ENGINES, SS_METHODS, type CongestionControl, type SsMethod } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { settled } from '../lib/async.js';
import { flag, intValue, value, values, type Parsed } from './args.js';
import { serverSetup, type ServerEngine, type SetupOptions } from '../server/setup.js';

/** `mpwan server setup`: options as parsed against SETUP_FLAGS (cli/commands.ts). */
export async function serverSetupCommand(rt: Runtime, p: Parsed): Promise<number> {
  await settled();
  const method = value(p, '--method');
  if (method !== undefined && !(SS_METHODS as readonly string[]).includes(method)) {
    throw new MpwanError('invalid_argument', `--method takes one of ${SS_METHODS.join(', ')} (got '${method.slice(0, 40)}')`);
  }
  const engine = value(p, '--engine');
  if (engine !== undefined && !(PROXY_ENGINES as readonly string[]).includes(engine)) {
    throw new MpwanError('invalid_argument', `--engine takes ${PROXY_ENGINES.join(', ')} (got '${engine.slice(0, 40)}')`);
  }
  const congestion = value(p, '--congestion');
  if (congestion !== undefined && !(CONGESTION_CONTROLS as readonly string[]).includes(congestion)) {
    throw new MpwanError('invalid_argument', `--congestion takes ${CONGESTION_CONTROLS.join(', ')} (got '${congestion.slice(0, 40)}')`);
  }
  const port = intValue(p, '--port', 1, 65535);
  const address = value(p, '--address');
  const o: SetupOptions = {
    root: value(p, '--root') ?? '/', dryRun: flag(p, '--dry-run'), signal: values(p, '--signal'), name: value(p, '--name') ?? 'mpwan',
    ...(port !== undefined ? { port } : {}), ...(method !== undefined ? { method: method as SsMethod } : {}),
    ...(address !== undefined ? { address } : {}), ...(engine !== undefined ? { engine: engine as ServerEngine } : {}),
    ...(value(p, '--relay') !== undefined ? { relay: value(p, '--relay')! } : {}),
    ...(congestion !== undefined ? { congestion: congestion as CongestionControl } : {}),
  };
  const r = await serverSetup(rt, o);
  if (r.steps.length === 0) rt.stdout('Nothing to change: this server is set up.\n');
  else rt.stdout(`${o.dryRun ? 'Would change' : 'Changed'}:\n${r.steps.map((s) => `  ${s}\n`).join('')}`);
  if (!o.dryRun && o.root === '/' && r.steps.length > 0) {
    rt.stdout('Start it with: systemctl daemon-reload && systemctl enable --now mpwan-server (restart it if it runs)\n');
  }
  // The relay picks its own (--congestion); the shadowsocks engines take the system's. Measured
  // (bench/results.md): with BBR on both sides, multipath over clean shaped links stalled.
  const cc = (rt.readFile('/proc/sys/net/ipv4/tcp_congestion_control') ?? '').trim();
  if (cc === 'bbr' && (o.engine ?? 'relay') !== 'relay') {
    rt.stdout('\nNote: this server uses BBR congestion control; MPTCP aggregation measured lower with it than with the\n' +
      "loss-based default, cubic, over clean links, higher over links that lose packets (README, 'Measured' and\n" +
      "'Links as they really are'): for clean links, consider 'sysctl -w net.ipv4.tcp_congestion_control=cubic'.\n");
  }
  rt.stdout(`\nOn the router, run:\n  mpwan server import '${r.link}'\n`);
  return 0;
}

