// `mpwan server setup`: turns a Debian/Ubuntu VPS into the aggregation server. Every change
// is listed first (--dry-run stops there); a second run changes nothing and keeps the key
// or password, so the link it prints stays valid.
import type { Runtime } from '../sys/runtime.js';
import type { CongestionControl, SsMethod } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { encodeBase64 } from '../lib/base64.js';
import { familyOf } from '../lib/inet.js';
import { toHex } from '../lib/sha256.js';
import { readAddresses, readEndpoints, readLimits, runIp } from '../sys/ip.js';
import { MPTCP_SYSCTL_DIR } from '../sys/procfs.js';
import { encodeRelayLink, encodeSsLink } from './uri.js';
import { serverUnit, SERVER_LIMITS, SERVER_PATHS } from './unit.js';
import { SERVER_SETUP_SYSCTLS } from '../model/tcp-buffers.js';

export type ServerEngine = 'relay' | 'shadowsocks-rust' | 'shadowsocks-libev';

export interface SetupOptions {
  /** Where files go ('/' on a real server; a temporary root in tests). */
  root: string;
  dryRun: boolean;
  port?: number;
  method?: SsMethod;
  /** The address routers connect to (default: the first global IPv4 address). */
  address?: string;
  /** Further server addresses announced to routers (`signal` endpoints). */
  signal: string[];
  engine?: ServerEngine;
  /** The relay's congestion control for its connections to routers (default bbr: bench/results.md, profileTuning). */
  congestion?: CongestionControl;
  /** The mpwan-relay binary to install (the release tarball's server/ folder has one per architecture). */
  relay?: string;
  name: string;
}

interface Step { describe: string; run: () => Promise<void> | void }

/**
 * What the server needs of its kernel, set now and in /etc/sysctl.d: MPTCP, and TIME_WAIT reuse
 * for its own connections to destinations (timestamps keep it safe; without it one destination
 * taking over ~470 new connections a second would run the server out of ports to it:
 * src/relay/README.md, "Many short connections").
 */
const SYSCTLS: Record<string, string> = {
  'net.mptcp.enabled': '1', 'net.mptcp.allow_join_initial_addr_port': '1', 'net.ipv4.tcp_tw_reuse': '1',
  // TCP buffer limits large enough for links as they really are (model/tcp-buffers.ts): raised, never lowered.
  ...SERVER_SETUP_SYSCTLS,
};

/** A value already in force: the same words, or for a buffer triple a limit at least ours. */
function holds(name: string, now: string, want: string): boolean {
  const [a, b] = [now.trim().split(/\s+/), want.split(' ')];
  if (name in SERVER_SETUP_SYSCTLS) return a.length === 3 && Number(a[2]) >= Number(b[2]);
  return a.join(' ') === b.join(' ');
}

/** 2022-blake3 ciphers take a key of exactly the cipher's size, base64-encoded. */
function newPassword(rt: Runtime, method: SsMethod): string {
  const size = method === '2022-blake3-aes-128-gcm' ? 16 : method.startsWith('2022-') ? 32 : 24;
  return encodeBase64(rt.randomBytes(size), !method.startsWith('2022-'), method.startsWith('2022-'));
}

/** The relay's engine files: its key (kept across runs) and the binary to install. */
function relayFiles(rt: Runtime, at: (p: string) => string, o: SetupOptions) {
  const existing = (rt.readFile(at(SERVER_PATHS.key)) ?? '').trim();
  const key = /^[0-9a-f]{64}$/.test(existing) ? existing : toHex(rt.randomBytes(32));
  if (!o.relay) throw new MpwanError('invalid_argument', "give --relay PATH: the mpwan-relay binary for this machine (the release tarball's server/ folder, or run its 'setup' script)");
  return { key, files: [[SERVER_PATHS.key, `${key}\n`, 0o600]] as [string, string, number][] };
}

export async function serverSetup(rt: Runtime, o: SetupOptions): Promise<{ steps: string[]; link: string }> {
  const at = (p: string) => (o.root === '/' ? p : `${o.root.replace(/\/$/, '')}${p}`);
  if (rt.readFile(`${MPTCP_SYSCTL_DIR}/enabled`) === null) {
    throw new MpwanError('kernel_unsupported', 'this kernel has no MPTCP (needs Linux 5.6 or later with CONFIG_MPTCP; Debian 11+ and Ubuntu 20.04+ have it)');
  }
  for (const a of [o.address, ...o.signal]) {
    if (a !== undefined && familyOf(a) === null) throw new MpwanError('invalid_argument', `'${a}' is not an IP address`);
  }
  const engine = o.engine ?? 'relay';
  const [{ addresses }, endpoints, limits] = await Promise.all([readAddresses(rt), readEndpoints(rt), readLimits(rt)]);
  const address = o.address ?? addresses.find((a) => a.family === 4 && a.scope === 'global')?.address;
  if (!address) throw new MpwanError('invalid_argument', 'no global IPv4 address found: pass --address <the address routers connect to>');

  let link: string;
  let port: number;
  const files: [string, string, number][] = [];
  if (engine === 'relay') {
    const relay = relayFiles(rt, at, o);
    port = o.port ?? Number(/--listen \[::\]:(\d+)/.exec(rt.readFile(at(SERVER_PATHS.unit)) ?? '')?.[1] ?? 8388);
    files.push(...relay.files);
    link = encodeRelayLink({ host: address, port, key: relay.key, name: o.name });
  } else {
    // Keep what an earlier run chose, so the printed link stays valid.
    let existing: Record<string, unknown> = {};
    try { existing = JSON.parse(rt.readFile(at(SERVER_PATHS.ssConfig)) ?? '{}') as Record<string, unknown>; } catch { existing = {}; }
    const method = o.method ?? (existing.method as SsMethod | undefined) ?? 'chacha20-ietf-poly1305';
    port = o.port ?? (existing.server_port as number | undefined) ?? 8388;
    const password = typeof existing.password === 'string' && existing.method === method ? existing.password : newPassword(rt, method);
    const config = {
      server: '0.0.0.0', server_port: port, password, method, mode: 'tcp_only', no_delay: true, reuse_port: true, timeout: 300,
      ...(engine === 'shadowsocks-rust' ? { mptcp: true } : {}),
    };
    files.push([SERVER_PATHS.ssConfig, JSON.stringify(config, null, 2) + '\n', 0o600]);
    link = encodeSsLink({ host: address, port, method, password, name: o.name });
  }
  files.push(
    [SERVER_PATHS.sysctl, Object.entries(SYSCTLS).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n', 0o644],
    [SERVER_PATHS.unit, serverUnit(engine, port, o.signal, o.congestion ?? 'bbr'), 0o644],
  );

  const steps: Step[] = [];
  for (const [name, value] of Object.entries(SYSCTLS)) {
    const path = `/proc/sys/${name.replace(/\./g, '/')}`;
    if (!holds(name, rt.readFile(path) ?? '', value)) steps.push({ describe: `set ${name} = ${value}`, run: () => rt.writeFile(path, value + '\n') });
  }
  if (limits.subflows !== SERVER_LIMITS.subflows || limits.addAddrAccepted !== SERVER_LIMITS.addAddrAccepted) {
    steps.push({
      describe: `set MPTCP limits subflows ${SERVER_LIMITS.subflows} add_addr_accepted ${SERVER_LIMITS.addAddrAccepted} (was ${limits.subflows}/${limits.addAddrAccepted})`,
      run: async () => { await runIp(rt, ['mptcp', 'limits', 'set', 'subflows', '8', 'add_addr_accepted', '8']); },
    });
  }
  for (const a of o.signal) {
    if (endpoints.some((e) => e.address === a && e.signal)) continue;
    steps.push({ describe: `announce ${a} to routers (endpoint signal)`, run: async () => { await runIp(rt, ['mptcp', 'endpoint', 'add', a, 'signal']); } });
  }
  if (engine === 'relay' && (await rt.exec(['cmp', '-s', o.relay!, at(SERVER_PATHS.relay)])).status !== 0) {
    steps.push({ describe: `install ${SERVER_PATHS.relay} (from ${o.relay})`, run: () => install(rt, o.relay!, at(SERVER_PATHS.relay)) });
  }
  for (const [path, text, mode] of files) {
    if (rt.readFile(at(path)) === text) continue;
    const secret = mode === 0o600 ? ` (mode 0600: it holds the ${engine === 'relay' ? 'key' : 'password'})` : '';
    steps.push({
      describe: `write ${path}${secret}`,
      run: () => { rt.makeDir(at(path).replace(/\/[^/]+$/, ''), 0o755); rt.writeFileAtomic(at(path), text, mode); },
    });
  }
  if (!o.dryRun) for (const s of steps) await s.run();
  return { steps: steps.map((s) => s.describe), link };
}

async function install(rt: Runtime, from: string, to: string) {
  rt.makeDir(to.replace(/\/[^/]+$/, ''), 0o755);
  const r = await rt.exec(['install', '-m', '0755', from, to]);
  if (r.status !== 0) throw new MpwanError('command_failed', `cannot install ${to}: ${r.stderr.trim() || `install exited ${r.status}`}`);
}
