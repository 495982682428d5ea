// `mpwan server setup` (on the VPS) and `mpwan server import` (on the router): the command-line side.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP } from '../sys/runtime.js';
import { PROXY_ENGINES, SS_METHODS, type SsMethod } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { validateConfig } from '../config/validate.js';
import { parseUci } from '../config/uci-read.js';
import { upsertSection } from '../config/uci-edit.js';
import { configFile } from '../sys/paths.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { settled } from '../lib/async.js';
import { flag, intValue, value, values, type Parsed } from './args.js';
import { serverSetup, type ServerEngine, type SetupOptions } from '../server/setup.js';
import { parseServerLink, type RelayLink, type SsLink } from '../server/uri.js';
import { hostPort } from '../lib/inet.js';

const SECTION_NAME = /^[A-Za-z0-9_]{1,32}$/;

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
  const port = intValue(p, '--port', 1, 65535);
  const address = value(p, '--address');
  const o: SetupOptions = {
    root: value(p, '--root') ?? '/', dryRun: flag(p, '--dry-run'), signal: values(p, '--signal'), name: value(p, '--name') ?? 'mpwan',
    ...(port !== undefined ? { port } : {}), ...(method !== undefined ? { method: method as SsMethod } : {}),
    ...(address !== undefined ? { address } : {}), ...(engine !== undefined ? { engine: engine as ServerEngine } : {}),
    ...(value(p, '--relay') !== undefined ? { relay: value(p, '--relay')! } : {}),
  };
  const r = await serverSetup(rt, o);
  if (r.steps.length === 0) rt.stdout('Nothing to change: this server is set up.\n');
  else rt.stdout(`${o.dryRun ? 'Would change' : 'Changed'}:\n${r.steps.map((s) => `  ${s}\n`).join('')}`);
  if (!o.dryRun && o.root === '/' && r.steps.length > 0) {
    rt.stdout('Start it with: systemctl daemon-reload && systemctl enable --now mpwan-server (restart it if it runs)\n');
  }
  // Measured (bench/results.md): multipath over clean shaped links stalls with BBR, not with
  // loss-based control; over links that lose packets (Starlink-like, satellite) BBR did better.
  const cc = (rt.readFile('/proc/sys/net/ipv4/tcp_congestion_control') ?? '').trim();
  if (cc === 'bbr') {
    rt.stdout('\nNote: this server uses BBR congestion control; MPTCP aggregation measured lower with it than with the\n' +
      "loss-based default, cubic, over clean links, higher over links that lose packets (README, 'Measured' and\n" +
      "'Links as they really are'): for clean links, consider 'sysctl -w net.ipv4.tcp_congestion_control=cubic'.\n");
  }
  rt.stdout(`\nOn the router, run:\n  mpwan server import '${r.link}'\n`);
  return 0;
}

/** `mpwan server import LINK`: options as parsed against IMPORT_FLAGS (cli/commands.ts). */
export async function serverImportCommand(rt: Runtime, p: Parsed): Promise<number> {
  await settled();
  const name = value(p, '--name') ?? 'vps';
  if (!SECTION_NAME.test(name)) throw new MpwanError('invalid_argument', `--name takes 1 to 32 letters, digits and _ (got '${name.slice(0, 40)}')`);
  const raw = p.positional[0];
  let link: RelayLink | SsLink;
  try {
    link = parseServerLink(raw);
  } catch (e) {
    throw new MpwanError('invalid_argument', `cannot import the link: ${(e as Error).message}; paste the line 'mpwan server setup' printed`);
  }
  const file = configFile(rt);
  const before = rt.readFile(file) ?? '';
  const sections = parseUci(before).sections;
  // Only one server may be enabled: turn the others off.
  let text = before;
  for (const s of sections) if (s.type === 'server' && s.name && s.name !== name) text = upsertSection(text, 'server', s.name, [['enabled', '0']]);
  const server: [string, string | null][] = 'key' in link
    ? [['host', link.host], ['port', String(link.port)], ['key', link.key], ['password', null], ['method', null], ['enabled', '1']]
    : [['host', link.host], ['port', String(link.port)], ['password', link.password], ['method', link.method], ['key', null], ['enabled', '1']];
  text = upsertSection(text, 'server', name, server);
  // The engine that reads this link: the relay, or the shadowsocks engine that is installed.
  const engine = 'key' in link ? 'relay' : await installedShadowsocks(rt);
  // The shadowsocks engines carry TCP only: LAN UDP then takes the normal route.
  text = upsertSection(text, 'proxy', 'proxy', [
    ...(sections.some((s) => s.type === 'proxy') ? [] : [['enabled', '1'] as [string, string]]), ['engine', engine],
    ...(engine === 'relay' ? [] : [['udp', null] as [string, null]]),
  ]);
  const check = validateConfig(text, file);
  if (!check.config) {
    throw new MpwanError('invalid_config', `the config would not be valid after the import:\n  ${check.errors.map((e) => `${e.line}: ${e.option}: ${e.message}`).join('\n  ')}`);
  }
  rt.writeFileAtomic(file, text, 0o600);
  rt.stdout(`Server '${name}' (${hostPort(link.host, link.port)}, engine ${engine}${'method' in link ? `, ${link.method}` : ''}) written to ${file}.\n`);
  const pid = await signalDaemon(rt, SIGHUP);
  rt.stdout(pid ? `The daemon (pid ${pid}) is reloading.\n` : "Start mpwan with '/etc/init.d/mpwan start' (or 'mpwan daemon').\n");
  return 0;
}

/** sslocal where it is installed, else ss-redir (the engine an ss:// link needs). */
async function installedShadowsocks(rt: Runtime): Promise<'shadowsocks-rust' | 'shadowsocks-libev'> {
  return (await rt.exec(['sslocal', '--version'], { timeoutMs: 5000 })).status !== 127 ? 'shadowsocks-rust' : 'shadowsocks-libev';
}
