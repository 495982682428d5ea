// `mpwan server setup|import`: the aggregation server's side, and the router's import of it.
import type { Runtime } from '../sys/runtime.js';
import { SIGHUP } from '../sys/runtime.js';
import { SS_METHODS, type SsMethod } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { validateConfig } from '../config/schema.js';
import { parseUci, upsertSection } from '../config/uci.js';
import { configFile } from '../sys/paths.js';
import { signalDaemon } from '../sys/daemon-control.js';
import { settled } from '../lib/async.js';
import { serverSetup, type SetupOptions } from './setup.js';
import { parseSsLink } from './uri.js';

const SECTION_NAME = /^[A-Za-z0-9_]{1,32}$/;

function takeValue(args: string[], i: number, flag: string): string {
  const v = args[i + 1];
  if (v === undefined) throw new MpwanError('invalid_argument', `${flag} needs a value`);
  return v;
}

async function setup(rt: Runtime, args: string[]): Promise<number> {
  const o: SetupOptions = { root: '/', dryRun: false, signal: [], name: 'mpwan' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '--dry-run': o.dryRun = true; break;
      case '--root': o.root = takeValue(args, i++, a); break;
      case '--address': o.address = takeValue(args, i++, a); break;
      case '--signal': o.signal.push(takeValue(args, i++, a)); break;
      case '--name': o.name = takeValue(args, i++, a); break;
      case '--port': {
        const p = Number(takeValue(args, i++, a));
        if (!Number.isInteger(p) || p < 1 || p > 65535) throw new MpwanError('invalid_argument', '--port takes 1 to 65535');
        o.port = p;
        break;
      }
      case '--method': {
        const m = takeValue(args, i++, a);
        if (!(SS_METHODS as readonly string[]).includes(m)) throw new MpwanError('invalid_argument', `--method takes one of ${SS_METHODS.join(', ')}`);
        o.method = m as SsMethod;
        break;
      }
      case '--engine': {
        const e = takeValue(args, i++, a);
        if (e !== 'shadowsocks-rust' && e !== 'shadowsocks-libev') throw new MpwanError('invalid_argument', '--engine takes shadowsocks-rust or shadowsocks-libev');
        o.engine = e;
        break;
      }
      default: throw new MpwanError('invalid_argument', `unknown option '${a}'`);
    }
  }
  const r = await serverSetup(rt, o);
  if (r.steps.length === 0) rt.stdout('Nothing to change: this server is set up.\n');
  else rt.stdout(`${o.dryRun ? 'Would change' : 'Changed'}:\n${r.steps.map((s) => `  ${s}\n`).join('')}`);
  if (!o.dryRun && o.root === '/' && r.steps.length > 0) {
    rt.stdout('Start it with: systemctl daemon-reload && systemctl enable --now mpwan-server\n');
  }
  // Measured (bench/results.md): multipath over shaped links stalls with BBR, not with loss-based control.
  const cc = (rt.readFile('/proc/sys/net/ipv4/tcp_congestion_control') ?? '').trim();
  if (cc === 'bbr') {
    rt.stdout('\nNote: this server uses BBR congestion control; MPTCP aggregation measured 10 points lower with it than\n' +
      "with the loss-based default (cubic): consider 'sysctl -w net.ipv4.tcp_congestion_control=cubic'.\n");
  }
  rt.stdout(`\nOn the router, run:\n  mpwan server import '${r.link}'\n`);
  return 0;
}

async function importLink(rt: Runtime, args: string[]): Promise<number> {
  await settled();
  let name = 'vps';
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--name') name = takeValue(args, i++, '--name');
    else rest.push(args[i]);
  }
  if (rest.length !== 1) throw new MpwanError('invalid_argument', "usage: mpwan server import 'ss://...' [--name NAME]");
  if (!SECTION_NAME.test(name)) throw new MpwanError('invalid_argument', '--name takes letters, digits and _');
  let link;
  try {
    link = parseSsLink(rest[0]);
  } catch (e) {
    throw new MpwanError('invalid_argument', `cannot import: ${(e as Error).message}`);
  }
  const file = configFile(rt);
  const before = rt.readFile(file) ?? '';
  const sections = parseUci(before).sections;
  // Only one server may be enabled: turn the others off.
  let text = before;
  for (const s of sections) if (s.type === 'server' && s.name && s.name !== name) text = upsertSection(text, 'server', s.name, [['enabled', '0']]);
  text = upsertSection(text, 'server', name, [
    ['host', link.host], ['port', String(link.port)], ['password', link.password], ['method', link.method], ['enabled', '1'],
  ]);
  if (!sections.some((s) => s.type === 'proxy')) text = upsertSection(text, 'proxy', 'proxy', [['enabled', '1']]);
  const check = validateConfig(text, file);
  if (!check.config) {
    throw new MpwanError('invalid_config', `the config would not be valid after the import:\n  ${check.errors.map((e) => `${e.line}: ${e.option}: ${e.message}`).join('\n  ')}`);
  }
  rt.writeFileAtomic(file, text, 0o600);
  rt.stdout(`Server '${name}' (${link.host}:${link.port}, ${link.method}) written to ${file}.\n`);
  const pid = await signalDaemon(rt, SIGHUP);
  rt.stdout(pid ? `The daemon (pid ${pid}) is reloading.\n` : "Start mpwan with '/etc/init.d/mpwan start' (or 'mpwan daemon').\n");
  return 0;
}

export async function runServer(rt: Runtime, args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'setup') return setup(rt, rest);
  if (verb === 'import') return importLink(rt, rest);
  throw new MpwanError('invalid_argument', "usage: mpwan server setup [--dry-run] [--root DIR] [--port N] [--method M] [--address A] [--signal A]... | mpwan server import 'ss://...'");
}
