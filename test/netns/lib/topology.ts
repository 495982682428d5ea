// Network namespaces for mpwan's integration tests, in the style of the kernel's MPTCP
// selftests: fresh namespaces per case, veth pairs, tbf-shaped links, counters from nstat.
//
//   cli --lan0/host0-- rtr ==wan0/isp0, wan1/isp1 ...== vps (ISP gateways + server)
//
// A WAN with a link spec runs through linkem (test/linkem), in a namespace of its own:
//   rtr wan0 --veth-- [lnk: rtr <linkem> isp] --veth-- isp0 vps
//
// Names carry this process's pid so a crashed run can be swept; everything is removed by
// destroy(), and by an exit handler if a test dies first. Only addresses inside these
// namespaces receive traffic.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { LinkControl, linkArgs, linkemBinary, type LinkSpec } from '../../linkem/linkem.js';
import { profile } from '../../linkem/profiles.js';
import { waitFor } from './wait.js';

export const NS_PREFIX = 'mpw';

export interface TopologyOptions {
  wans: number;
  /** Mbit/s per WAN (one value for all, or one per WAN); unshaped when absent. */
  rateMbit?: number | number[];
  ipv6?: boolean;
  /** Strict reverse-path filtering on the server side (what anti-spoofing ISPs do). */
  strictRpFilter?: boolean;
  /** Add a LAN client namespace behind the router (and fw4-style masquerade on the WANs). */
  lan?: boolean;
  /** Add a destination host ("the internet") behind the server. */
  dst?: boolean;
  /** Aggregation servers of their own behind vps, as the internet carries them (srvHosts). */
  servers?: number;
  /** IPv6 on the LAN (ULA) and on the destination link, besides IPv4. */
  ipv6Lan?: boolean;
  /**
   * TCP congestion control in every namespace. Stock OpenWrt and Debian use cubic, which
   * this machine's kernel does not let namespaces use (its allowed list is "reno bbr"), so
   * the default is reno, the loss-based algorithm closest to it; 'host' keeps the machine's.
   */
  congestion?: 'reno' | 'bbr' | 'host';
  /**
   * WAN i runs through linkem with links[i] (delay, jitter, loss, rate per direction) instead
   * of tbf. Without it, MPWAN_TEST_LINK chooses for every topology: 'linkem' runs each WAN
   * through linkem at its rateMbit (no delay); a profile name (test/linkem/profiles.ts) gives
   * WAN i the profile's link i (cycling), so every scenario can run on links with delays.
   */
  links?: LinkSpec[];
  /**
   * TCP buffer limits in every namespace: 'stock' is what Linux gives a machine with 1 GB of
   * memory or more (a Debian VPS, a large router): tcp_rmem max 6 MB, tcp_wmem max 4 MB;
   * 'host' (the default) keeps this machine's (tcp_rmem max 32 MB).
   */
  buffers?: 'stock' | 'host';
}

/** Linux's own defaults (net/ipv4/tcp.c, tcp_init) on a machine with 1 GB of memory or more. */
export const STOCK_BUFFERS = { tcp_rmem: '4096 131072 6291456', tcp_wmem: '4096 16384 4194304' };

export interface Wan {
  index: number;
  dev: string; // in rtr
  peer: string; // in vps
  addr: string;
  gw: string;
  addr6?: string;
  gw6?: string;
  rateMbit?: number;
  /** Through linkem: its namespace and control. */
  link?: { ns: string; spec: LinkSpec; control: LinkControl; pid: number };
}

const live = new Set<Topology>();
let hooked = false;

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const t of live) t.destroy(); });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => { for (const t of live) t.destroy(); process.exit(128 + (sig === 'SIGINT' ? 2 : 15)); });
  }
}

export function run(argv: string[], input?: string): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Removes namespaces left by test processes that no longer exist. */
export function sweepStale(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${NS_PREFIX}-[a-z]+-(\\d+)-[0-9a-f]+$`).exec(name);
    if (!m) continue;
    try { process.kill(Number(m[1]), 0); } catch { spawnSync('ip', ['netns', 'del', name]); }
  }
}

export class Topology {
  readonly id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly rtr = `${NS_PREFIX}-rtr-${this.id}`;
  readonly vps = `${NS_PREFIX}-vps-${this.id}`;
  readonly cli = `${NS_PREFIX}-cli-${this.id}`;
  readonly dst = `${NS_PREFIX}-dst-${this.id}`;
  /** The destination host: a documentation address, proxied like any internet address. */
  readonly destination = '198.51.100.10';
  readonly server = '10.99.0.1';
  readonly server6 = '2001:db8:99::1';
  /** With `servers`: each server's namespace, address (on its loopback) and its link to vps. */
  readonly srvHosts: { ns: string; address: string; dev: string }[] = [];
  readonly lanRouter = '192.168.77.1';
  readonly lanClient = '192.168.77.2';
  /** With ipv6Lan: the destination's and the LAN's IPv6 addresses. */
  readonly destination6 = '2001:db8:100::10';
  readonly lanRouter6 = 'fd77::1';
  readonly lanClient6 = 'fd77::2';
  readonly wans: Wan[] = [];
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly sockets: string[] = [];

  constructor(readonly options: TopologyOptions) {
    hookExit();
    live.add(this);
    try {
      this.build();
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  /** The link spec WAN i gets, if it runs through linkem. */
  private linkFor(i: number, rate: number | undefined): LinkSpec | undefined {
    if (this.options.links) return this.options.links[i];
    const env = process.env.MPWAN_TEST_LINK;
    if (!env || env === 'tbf') return undefined;
    if (env === 'linkem') return rate ? { up: { rateMbit: rate }, down: { rateMbit: rate } } : { up: {}, down: {} };
    const links = profile(env).links;
    return links[i % links.length];
  }

  private addNs(name: string) {
    run(['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
    const cc = this.options.congestion ?? 'reno';
    if (cc !== 'host') this.sysctl(name, 'net.ipv4.tcp_congestion_control', cc);
    if (this.options.buffers === 'stock') for (const [k, v] of Object.entries(STOCK_BUFFERS)) this.sysctl(name, `net.ipv4.${k}`, v);
  }

  private build() {
    const o = this.options;
    this.addNs(this.rtr);
    this.addNs(this.vps);
    this.sysctl(this.vps, 'net.ipv4.ip_forward', '1');
    this.ip(this.vps, 'addr', 'add', `${this.server}/32`, 'dev', 'lo');
    if (o.ipv6) this.ip(this.vps, 'addr', 'add', `${this.server6}/128`, 'dev', 'lo');
    // The server accepts a subflow per router uplink.
    this.ip(this.vps, 'mptcp', 'limits', 'set', 'subflows', '8', 'add_addr_accepted', '8');
    if (o.strictRpFilter) {
      this.sysctl(this.vps, 'net.ipv4.conf.all.rp_filter', '1');
      this.sysctl(this.vps, 'net.ipv4.conf.default.rp_filter', '1');
    }
    for (let i = 0; i < o.wans; i++) this.addWan(i);
    if (o.lan) this.addLan();
    if (o.dst) this.addDst();
    for (let i = 0; i < (o.servers ?? 0); i++) this.addServerHost(i);
  }

  /**
   * A server host behind vps: vps routes its address (10.99.<i+1>.1, on its loopback) over a
   * veth of its own (srv<i>), as the internet would; it reaches the WANs and the destination through vps.
   */
  private addServerHost(i: number) {
    const host = { ns: `${NS_PREFIX}-srv-${this.id}${i}`, address: `10.99.${i + 1}.1`, dev: `srv${i}` };
    this.addNs(host.ns);
    this.ip(this.vps, 'link', 'add', host.dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns);
    this.ip(this.vps, 'addr', 'add', `10.98.${i}.1/24`, 'dev', host.dev);
    this.ip(host.ns, 'addr', 'add', `10.98.${i}.2/24`, 'dev', 'eth0');
    this.ip(host.ns, 'addr', 'add', `${host.address}/32`, 'dev', 'lo');
    this.ip(this.vps, 'link', 'set', host.dev, 'up');
    this.ip(host.ns, 'link', 'set', 'eth0', 'up');
    this.ip(this.vps, 'route', 'add', `${host.address}/32`, 'via', `10.98.${i}.2`);
    this.ip(host.ns, 'route', 'add', 'default', 'via', `10.98.${i}.1`);
    this.ip(host.ns, 'mptcp', 'limits', 'set', 'subflows', '8', 'add_addr_accepted', '8');
    if (this.options.strictRpFilter) for (const k of ['all', 'default', 'eth0']) this.sysctl(host.ns, `net.ipv4.conf.${k}.rp_filter`, '1');
    this.srvHosts.push(host);
  }

  /** A server host dying silently (everything to and from it dropped where it meets the internet), or back. */
  silenceServerHost(i: number, on: boolean) {
    const h = this.srvHosts[i];
    for (const [ns, dev] of [[h.ns, 'eth0'], [this.vps, h.dev]]) {
      const table = `mpwsilence_${dev}`;
      if (on) run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], `table netdev ${table} {\n\tchain in {\n\t\ttype filter hook ingress device "${dev}" priority -500; policy drop;\n\t}\n}\n`);
      else run(['ip', 'netns', 'exec', ns, 'nft', 'delete', 'table', 'netdev', table]);
    }
  }

  private addDst() {
    this.addNs(this.dst);
    this.ip(this.vps, 'link', 'add', 'dst0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.dst);
    this.ip(this.vps, 'addr', 'add', '198.51.100.1/24', 'dev', 'dst0');
    this.ip(this.dst, 'addr', 'add', `${this.destination}/24`, 'dev', 'eth0');
    this.ip(this.vps, 'link', 'set', 'dst0', 'up');
    this.ip(this.dst, 'link', 'set', 'eth0', 'up');
    this.ip(this.dst, 'route', 'add', 'default', 'via', '198.51.100.1');
    if (this.options.ipv6Lan) {
      this.ip(this.vps, 'addr', 'add', '2001:db8:100::1/64', 'dev', 'dst0', 'nodad');
      this.ip(this.dst, 'addr', 'add', `${this.destination6}/64`, 'dev', 'eth0', 'nodad');
      this.ip(this.dst, '-6', 'route', 'add', 'default', 'via', '2001:db8:100::1');
    }
  }

  private addWan(i: number) {
    const rates = this.options.rateMbit;
    const rate = Array.isArray(rates) ? rates[i] : rates;
    const w: Wan = {
      index: i, dev: `wan${i}`, peer: `isp${i}`, addr: `10.20.${i + 1}.2`, gw: `10.20.${i + 1}.1`,
      ...(this.options.ipv6 ? { addr6: `2001:db8:${i + 1}::2`, gw6: `2001:db8:${i + 1}::1` } : {}),
      ...(rate ? { rateMbit: rate } : {}),
    };
    const spec = this.linkFor(i, rate);
    if (spec) this.addLink(w, spec);
    else this.ip(this.rtr, 'link', 'add', w.dev, 'type', 'veth', 'peer', 'name', w.peer, 'netns', this.vps);
    this.ip(this.rtr, 'addr', 'add', `${w.addr}/24`, 'dev', w.dev);
    this.ip(this.vps, 'addr', 'add', `${w.gw}/24`, 'dev', w.peer);
    if (w.addr6 && w.gw6) {
      this.ip(this.rtr, 'addr', 'add', `${w.addr6}/64`, 'dev', w.dev, 'nodad');
      this.ip(this.vps, 'addr', 'add', `${w.gw6}/64`, 'dev', w.peer, 'nodad');
    }
    this.ip(this.rtr, 'link', 'set', w.dev, 'up');
    this.ip(this.vps, 'link', 'set', w.peer, 'up');
    if (this.options.strictRpFilter) this.sysctl(this.vps, `net.ipv4.conf.${w.peer}.rp_filter`, '1');
    // netifd installs each uplink's default route in main with the interface metric.
    this.ip(this.rtr, 'route', 'add', 'default', 'via', w.gw, 'dev', w.dev, 'metric', String(10 * (i + 1)));
    if (w.gw6) this.ip(this.rtr, '-6', 'route', 'add', 'default', 'via', w.gw6, 'dev', w.dev, 'metric', String(10 * (i + 1)));
    if (rate && !spec) this.shape(w, rate);
    this.wans.push(w);
  }

  /**
   * The WAN's two veths meet in a namespace of their own where linkem bridges them: no
   * addresses there (the kernel forwards nothing), no IPv6 (it would send its own frames).
   * The WAN ends send MTU-sized frames with their checksums done (TSO, GSO and checksum
   * offload off: linkem passes frames on as they are). They take linkem's frames by a NAPI
   * thread of their own at real-time priority, as linkem runs: the receiving stack's work then
   * is neither charged to linkem nor delayed behind the machine's other load.
   */
  private addLink(w: Wan, spec: LinkSpec) {
    const ns = `${NS_PREFIX}-lnk-${this.id}${w.index}`;
    this.addNs(ns);
    this.sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', '1');
    this.sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', '1');
    this.ip(this.rtr, 'link', 'add', w.dev, 'type', 'veth', 'peer', 'name', 'rtr', 'netns', ns);
    this.ip(this.vps, 'link', 'add', w.peer, 'type', 'veth', 'peer', 'name', 'isp', 'netns', ns);
    for (const dev of ['rtr', 'isp']) {
      run(['ip', 'netns', 'exec', ns, 'ethtool', '-K', dev, 'gro', 'off', 'gso', 'off', 'tso', 'off']);
      this.ip(ns, 'link', 'set', dev, 'up');
    }
    for (const [n, dev] of [[this.rtr, w.dev], [this.vps, w.peer]]) {
      run(['ip', 'netns', 'exec', n, 'ethtool', '-K', dev, 'tx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'on']);
      this.ip(n, 'link', 'set', dev, 'up'); // NAPI runs only on a device that is up
      this.napiThread(n, dev);
    }
    const control = new LinkControl(`/tmp/mpwan-linkem-${this.id}-${w.index}.ctl`);
    this.sockets.push(control.path);
    const child = this.spawn(ns, [linkemBinary(), 'run', '--a', 'rtr', '--b', 'isp', '--ctl', control.path, ...(spec.seed !== undefined ? ['--seed', String(spec.seed)] : []), ...linkArgs(spec)]);
    waitFor(`linkem on ${w.dev}`, () => { try { control.stats(); return true; } catch { return false; } });
    // `ip netns exec` execs linkem: the child's pid is linkem's.
    w.link = { ns, spec, control, pid: child.pid! };
  }

  /** Threaded NAPI on a veth, its kernel thread (napi/<dev>-<id>, new) at real-time priority. */
  private napiThread(ns: string, dev: string) {
    const named = () => new Set(readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try { return readFileSync(`/proc/${p}/comm`, 'utf8').trim().startsWith(`napi/${dev}-`); } catch { return false; }
    }));
    const before = named();
    run(['ip', 'netns', 'exec', ns, 'sh', '-c', `echo 1 > /sys/class/net/${dev}/threaded`]);
    for (const pid of named()) if (!before.has(pid)) spawnSync('chrt', ['-f', '-p', '10', pid]);
  }

  /**
   * The WAN's carrier as the router sees it: the ISP end of the veth down (or up again); with
   * linkem, the router's carrier follows linkem's end, so both go down.
   */
  setCarrier(w: Wan, up: boolean) {
    this.ip(this.vps, 'link', 'set', w.peer, up ? 'up' : 'down');
    if (w.link) this.ip(w.link.ns, 'link', 'set', 'rtr', up ? 'up' : 'down');
  }

  private addLan() {
    this.addNs(this.cli);
    this.ip(this.rtr, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'host0', 'netns', this.cli);
    this.ip(this.rtr, 'addr', 'add', `${this.lanRouter}/24`, 'dev', 'lan0');
    this.ip(this.cli, 'addr', 'add', `${this.lanClient}/24`, 'dev', 'host0');
    this.ip(this.rtr, 'link', 'set', 'lan0', 'up');
    this.ip(this.cli, 'link', 'set', 'host0', 'up');
    this.ip(this.cli, 'route', 'add', 'default', 'via', this.lanRouter);
    if (this.options.ipv6Lan) {
      this.ip(this.rtr, 'addr', 'add', `${this.lanRouter6}/64`, 'dev', 'lan0', 'nodad');
      this.ip(this.cli, 'addr', 'add', `${this.lanClient6}/64`, 'dev', 'host0', 'nodad');
      this.ip(this.cli, '-6', 'route', 'add', 'default', 'via', this.lanRouter6);
    }
    this.sysctl(this.rtr, 'net.ipv4.ip_forward', '1');
    // What fw4 does on every OpenWrt router: masquerade LAN traffic leaving by a WAN.
    run(['ip', 'netns', 'exec', this.rtr, 'nft', '-f', '-'], [
      'table inet fw4 {',
      '\tchain srcnat { type nat hook postrouting priority srcnat; policy accept; oifname "wan*" masquerade; }',
      '\tchain forward { type filter hook forward priority filter; policy accept; }',
      '}',
    ].join('\n'));
  }

  /** tbf on both ends of the WAN veth (netem is not available on these kernels). */
  shape(w: Wan, mbit: number) {
    // A burst of ~4 ms at line rate, at least 16 KiB so tbf can keep up at this HZ.
    const burst = `${Math.max(16, Math.ceil((mbit * 1e6) / 8 / 250 / 1024))}kb`;
    for (const [ns, dev] of [[this.rtr, w.dev], [this.vps, w.peer]]) {
      run(['ip', 'netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', burst, 'latency', '100ms']);
    }
  }

  /**
   * A silent failure of a WAN: everything arriving on either end of its veth is dropped
   * (nft netdev ingress, so no sender sees an error and the link stays up), or no longer.
   */
  silence(w: Wan, on: boolean) {
    for (const [ns, dev] of [[this.rtr, w.dev], [this.vps, w.peer]]) {
      const table = `mpwsilence_${dev}`;
      if (on) run(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], `table netdev ${table} {\n\tchain in {\n\t\ttype filter hook ingress device "${dev}" priority -500; policy drop;\n\t}\n}\n`);
      else run(['ip', 'netns', 'exec', ns, 'nft', 'delete', 'table', 'netdev', table]);
    }
  }

  ip(ns: string, ...args: string[]): string {
    return run(['ip', '-n', ns, ...args]);
  }

  ipJson<T = unknown>(ns: string, ...args: string[]): T {
    const out = this.ip(ns, '-j', ...args).trim();
    return JSON.parse(out === '' ? '[]' : out) as T;
  }

  exec(ns: string, argv: string[], options: { input?: string; env?: Record<string, string> } = {}) {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'env', ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`), ...argv], {
      encoding: 'utf8', input: options.input, maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /**
   * A background process in a namespace, killed by destroy(). Its output goes to `logFile`
   * (or nowhere): tests wait synchronously, so pipes would never be read in time.
   */
  spawn(ns: string, argv: string[], env: Record<string, string> = {}, logFile?: string): ChildProcess {
    const out = logFile ? openSync(logFile, 'a') : 'ignore';
    const child = spawn('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], {
      stdio: ['ignore', out, out], detached: true,
    });
    if (typeof out === 'number') closeSync(out);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  sysctl(ns: string, key: string, value: string) {
    run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`]);
  }

  readFile(ns: string, path: string): string {
    return run(['ip', 'netns', 'exec', ns, 'cat', path]);
  }

  /** MPTcpExt counters of a namespace. */
  mptcpCounters(ns: string): Record<string, number> {
    const lines = this.readFile(ns, '/proc/net/netstat').split('\n').filter((l) => l.startsWith('MPTcpExt:'));
    const keys = lines[0].split(/\s+/).slice(1);
    const vals = lines[1].split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
  }

  linkBytes(ns: string, dev: string): { rx: number; tx: number } {
    const read = (what: string) => Number(this.readFile(ns, `/sys/class/net/${dev}/statistics/${what}_bytes`).trim());
    return { rx: read('rx'), tx: read('tx') };
  }

  /** Whether a process still runs (a zombie nobody reaped counts as gone). */
  static alive(pid: number): boolean {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }

  destroy() {
    for (const c of this.children) {
      try { if (c.pid) process.kill(-c.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    this.children.clear();
    for (const ns of this.namespaces.splice(0).reverse()) {
      // Processes still inside would keep the namespace's interfaces alive: kill them first.
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split('\n').filter(Boolean)) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
    for (const path of this.sockets.splice(0)) rmSync(path, { force: true });
    live.delete(this);
  }
}
