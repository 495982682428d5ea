// `mpwan server setup`: turns a Debian/Ubuntu VPS into the aggregation server. Every change
// is listed first (--dry-run stops there); a second run changes nothing and keeps the
// password, so the link it prints stays valid.
import type { Runtime } from '../sys/runtime.js';
import type { SsMethod } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { encodeBase64 } from '../lib/base64.js';
import { familyOf } from '../lib/inet.js';
import { readAddresses, readEndpoints, readLimits, runIp } from '../sys/ip.js';
import { MPTCP_SYSCTL_DIR } from '../sys/procfs.js';
import { encodeSsLink } from './uri.js';

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
  engine?: 'shadowsocks-rust' | 'shadowsocks-libev';
  name: string;
}

interface Step { describe: string; run: () => Promise<void> | void }

const CONFIG = '/etc/mpwan-server/ss-server.json';
const UNIT = '/etc/systemd/system/mpwan-server.service';
const SYSCTL_CONF = '/etc/sysctl.d/90-mpwan-server.conf';
/** Routers have up to 8 uplinks: accept a subflow from each. */
const SERVER_LIMITS = { subflows: 8, addAddrAccepted: 8 };
const SYSCTLS: Record<string, string> = { enabled: '1', allow_join_initial_addr_port: '1' };

/** 2022-blake3 ciphers take a key of exactly the cipher's size, base64-encoded. */
function newPassword(rt: Runtime, method: SsMethod): string {
  const size = method === '2022-blake3-aes-128-gcm' ? 16 : method.startsWith('2022-') ? 32 : 24;
  return encodeBase64(rt.randomBytes(size), !method.startsWith('2022-'), method.startsWith('2022-'));
}

async function detectEngine(rt: Runtime): Promise<'shadowsocks-rust' | 'shadowsocks-libev' | null> {
  if ((await rt.exec(['ssserver', '--version'], { timeoutMs: 5000 })).status !== 127) return 'shadowsocks-rust';
  if ((await rt.exec(['ss-server', '-h'], { timeoutMs: 5000 })).status !== 127) return 'shadowsocks-libev';
  return null;
}

function unitFile(engine: 'shadowsocks-rust' | 'shadowsocks-libev', signal: string[]): string {
  const exec = engine === 'shadowsocks-rust'
    ? `/usr/bin/ssserver -c ${CONFIG}`
    : `/usr/bin/mptcpize run /usr/bin/ss-server -c ${CONFIG}`;
  return [
    '# Written by mpwan server setup: the MPTCP aggregation server for mpwan routers.',
    '[Unit]',
    'Description=mpwan aggregation server (shadowsocks over MPTCP)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    // Limits and endpoints live in the kernel only: set them again on every start.
    `ExecStartPre=/usr/sbin/ip mptcp limits set subflows ${SERVER_LIMITS.subflows} add_addr_accepted ${SERVER_LIMITS.addAddrAccepted}`,
    ...signal.map((a) => `ExecStartPre=-/usr/sbin/ip mptcp endpoint add ${a} signal`),
    `ExecStart=${exec}`,
    'Restart=on-failure',
    'RestartSec=2',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export async function serverSetup(rt: Runtime, o: SetupOptions): Promise<{ steps: string[]; link: string }> {
  const at = (p: string) => (o.root === '/' ? p : `${o.root.replace(/\/$/, '')}${p}`);
  if (rt.readFile(`${MPTCP_SYSCTL_DIR}/enabled`) === null) {
    throw new MpwanError('kernel_unsupported', 'this kernel has no MPTCP (needs Linux 5.6 or later with CONFIG_MPTCP; Debian 11+ and Ubuntu 20.04+ have it)');
  }
  for (const a of [o.address, ...o.signal]) {
    if (a !== undefined && familyOf(a) === null) throw new MpwanError('invalid_argument', `'${a}' is not an IP address`);
  }
  const engine = o.engine ?? (await detectEngine(rt)) ?? 'shadowsocks-libev';
  const [{ addresses }, endpoints, limits] = await Promise.all([readAddresses(rt), readEndpoints(rt), readLimits(rt)]);
  const address = o.address ?? addresses.find((a) => a.family === 4 && a.scope === 'global')?.address;
  if (!address) throw new MpwanError('invalid_argument', 'no global IPv4 address found: pass --address <the address routers connect to>');

  // Keep what an earlier run chose, so the printed link stays valid.
  let existing: Record<string, unknown> = {};
  try { existing = JSON.parse(rt.readFile(at(CONFIG)) ?? '{}') as Record<string, unknown>; } catch { existing = {}; }
  const method = o.method ?? (existing.method as SsMethod | undefined) ?? 'chacha20-ietf-poly1305';
  const port = o.port ?? (existing.server_port as number | undefined) ?? 8388;
  const password = typeof existing.password === 'string' && existing.method === method ? existing.password : newPassword(rt, method);
  const config = {
    server: '0.0.0.0', server_port: port, password, method, mode: 'tcp_only', no_delay: true, reuse_port: true, timeout: 300,
    ...(engine === 'shadowsocks-rust' ? { mptcp: true } : {}),
  };
  const files: [string, string, number][] = [
    [CONFIG, JSON.stringify(config, null, 2) + '\n', 0o600],
    [SYSCTL_CONF, Object.entries(SYSCTLS).map(([k, v]) => `net.mptcp.${k} = ${v}`).join('\n') + '\n', 0o644],
    [UNIT, unitFile(engine, o.signal), 0o644],
  ];

  const steps: Step[] = [];
  for (const [name, value] of Object.entries(SYSCTLS)) {
    const path = `${MPTCP_SYSCTL_DIR}/${name}`;
    if ((rt.readFile(path) ?? '').trim() !== value) steps.push({ describe: `set net.mptcp.${name} = ${value}`, run: () => rt.writeFile(path, value + '\n') });
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
  for (const [path, text, mode] of files) {
    if (rt.readFile(at(path)) === text) continue;
    steps.push({
      describe: `write ${path}${path === CONFIG ? ' (mode 0600: it holds the password)' : ''}`,
      run: () => { rt.makeDir(at(path).replace(/\/[^/]+$/, ''), 0o755); rt.writeFileAtomic(at(path), text, mode); },
    });
  }
  if (!o.dryRun) for (const s of steps) await s.run();
  const link = encodeSsLink({ host: address, port, method, password, name: o.name });
  return { steps: steps.map((s) => s.describe), link };
}
