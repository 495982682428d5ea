// A router for the daemon's wiring test: the fake runtime (its clock, probes and in-memory
// files), netifd answering from a captured dump, and a small kernel that the `ip` commands mpwan
// runs change and `ip -j` reads back, so each re-plan sees what the last one applied. nft holds
// the last table loaded; `ubus send` is recorded.
import type { ExecOptions, ExecResult } from '../../../src/sys/runtime.js';
import { fakeRuntime, ok } from './fake-runtime.js';
import { fixture } from './index.js';

type Json = Record<string, unknown>;
const fail = (stderr: string): ExecResult => ({ argv: [], status: 2, stdout: '', stderr, timedOut: false });
const famOf = (argv: string[]) => (argv.includes('-6') ? 6 : 4);

export const DAEMON_PID = 4242;
export const RUN = '/run/mpwan';
export const CONFIG = '/etc/config/mpwan';

export function fakeRouter(config: string) {
  const netifd = JSON.parse(fixture('netifd/static-network.interface.dump.json')) as { interface: Json[] };
  const carrier = new Map<string, boolean>();
  const endpoints: Json[] = [];
  let rules: Json[] = [];
  let routes: Json[] = [];
  let limits = { subflows: 2, add_addr_accepted: 0 };
  let table: string | null = null;
  /** Every command that changed the kernel or nft, in order. */
  const changes: string[] = [];
  const events: { type: string; data: Json }[] = [];
  /** `ip` commands matching this fail (as the kernel may refuse one). */
  let refuse: RegExp | null = null;

  function addrShow(): Json[] {
    return netifd.interface.filter((i) => i.l3_device && i.l3_device !== 'lo').map((i, n) => ({
      ifindex: 10 + n, ifname: i.l3_device,
      flags: ['BROADCAST', 'MULTICAST', 'UP', ...(carrier.get(i.l3_device as string) === false ? [] : ['LOWER_UP'])],
      addr_info: (i['ipv4-address'] as Json[]).map((a) => ({ family: 'inet', local: a.address, prefixlen: a.mask, scope: 'global' })),
    }));
  }

  function rule(argv: string[]): Json {
    const at = (k: string) => argv[argv.indexOf(k) + 1];
    const r: Json = { family: famOf(argv), priority: Number(at('pref')), src: 'all', table: at('lookup') };
    if (argv.includes('from') && at('from') !== 'all') r.src = at('from');
    if (argv.includes('to')) r.dst = at('to');
    if (argv.includes('fwmark')) [r.fwmark, r.fwmask] = at('fwmark').split('/');
    if (argv.includes('suppress_prefixlength')) r.suppress_prefixlen = Number(at('suppress_prefixlength'));
    return r;
  }

  function route(argv: string[]): Json {
    const rest = argv.slice(argv.indexOf('route') + 2);
    const at = (k: string) => (rest.includes(k) ? rest[rest.indexOf(k) + 1] : undefined);
    const local = rest[0] === 'local';
    const r: Json = { family: famOf(argv), dst: local ? rest[1] : rest[0], table: at('table') };
    if (local) r.type = 'local';
    if (at('via')) r.gateway = at('via');
    if (at('dev')) r.dev = at('dev');
    return r;
  }

  const same = (a: Json, b: Json, keys: string[]) => keys.every((k) => a[k] === b[k]);
  /** As `ip -j` prints them: no family field (IPv6 routes have a `pref`). */
  const strip = (list: Json[], isRoute = false) => list.map(({ family, ...rest }) => (isRoute && family === 6 ? { ...rest, pref: 'medium' } : rest));

  function ip(argv: string[]): ExecResult {
    const a = argv.filter((x) => x !== '-j');
    const words = a.join(' ');
    if (words === 'ip addr show') return ok(JSON.stringify(addrShow()));
    if (words === 'ip mptcp endpoint show') return ok(JSON.stringify(endpoints));
    if (words === 'ip mptcp limits show') return ok(`add_addr_accepted ${limits.add_addr_accepted} subflows ${limits.subflows}\n`);
    if (/^ip -[46] rule show$/.test(words)) return ok(JSON.stringify(strip(rules.filter((r) => r.family === famOf(a)))));
    if (words === 'ip route show table all') return ok(JSON.stringify(strip(routes, true)));
    if (refuse?.test(words)) return { ...fail('Error: Operation not permitted'), argv };
    changes.push(words);
    if (a[1] === 'mptcp' && a[2] === 'endpoint') {
      const id = Number(a[a.indexOf('id') + 1]);
      if (a[3] === 'add') {
        if (endpoints.some((e) => e.id === id || e.address === a[4])) return fail('Error: File exists');
        endpoints.push({ address: a[4], id, ...(a.includes('dev') ? { dev: a[a.indexOf('dev') + 1] } : {}), subflow: true, ...(a.includes('backup') ? { backup: true } : {}) });
      } else if (a[3] === 'delete') {
        const i = endpoints.findIndex((e) => e.id === id);
        if (i < 0) return fail('Error: No such process');
        endpoints.splice(i, 1);
      } else if (a[3] === 'change') {
        const e = endpoints.find((x) => x.id === id);
        if (e) { if (a.includes('backup')) e.backup = true; else delete e.backup; }
      }
      return ok();
    }
    if (a[1] === 'mptcp' && a[2] === 'limits') {
      limits = { subflows: Number(a[a.indexOf('subflows') + 1]), add_addr_accepted: Number(a[a.indexOf('add_addr_accepted') + 1]) };
      return ok();
    }
    if (a.includes('rule')) {
      const r = rule(a);
      const keys = ['family', 'priority', 'src', 'dst', 'fwmark', 'table', 'suppress_prefixlen'];
      if (a.includes('add')) rules.push(r); else rules = rules.filter((x) => !same(x, r, keys));
      return ok();
    }
    if (a.includes('route')) {
      const r = route(a);
      routes = routes.filter((x) => !same(x, r, ['family', 'table', 'dst', 'type']));
      if (a.includes('replace')) routes.push(r);
      return ok();
    }
    return fail(`fake ip: ${words}`);
  }

  function exec(argv: string[], options?: ExecOptions): ExecResult {
    if (argv[0] === 'ip') return ip(argv);
    if (argv[0] === 'ubus' && argv[1] === 'call') return ok(JSON.stringify(netifd));
    if (argv[0] === 'ubus' && argv[1] === 'send') { events.push({ type: argv[2], data: JSON.parse(argv[3]) }); return ok(); }
    if (argv[0] === 'mpwan-relay') return ok('mpwan-relay 0.1.0\n');
    if (argv[0] === 'conntrack') return { ...ok(), status: 1, stderr: 'conntrack v1.4.8 (conntrack-tools): 0 flow entries have been deleted.\n' };
    if (argv[0] === 'nft') {
      if (argv.includes('-c')) return ok();
      if (argv.includes('list')) return table === null ? fail('Error: No such file or directory') : ok(JSON.stringify({ nftables: [{ metainfo: {} }, { table: { family: 'inet', name: 'mpwan', text: table } }] }));
      const text = options?.input ?? '';
      table = /^table inet mpwan \{\n/m.test(text) ? text : null;
      changes.push(table === null ? 'nft: table removed' : 'nft: table loaded');
      return ok();
    }
    return { ...ok(), status: 127 };
  }

  // hotplug-call: no scripts here, it is done at once.
  const f = fakeRuntime({ exec, env: { MPWAN_RUN_DIR: RUN, MPWAN_UCI_DIR: '/etc/config' }, exitsAtOnce: (argv) => (argv[0] === 'hotplug-call' ? 0 : null) });
  const files: Record<string, string> = {
    [CONFIG]: config,
    '/proc/self/stat': `${DAEMON_PID} (qjs) S 1`,
    [`/proc/${DAEMON_PID}/cmdline`]: 'qjs\0/usr/sbin/mpwan\0daemon\0',
    '/proc/sys/net/mptcp/enabled': '1\n',
    '/proc/sys/net/mptcp/available_schedulers': 'default\n',
    '/proc/sys/net/mptcp/available_path_managers': 'kernel userspace\n',
  };
  for (const [path, text] of Object.entries(files)) f.fs.set(path, text);

  return {
    ...f,
    changes,
    events,
    endpoints: () => endpoints.map((e) => `${e.address}${e.backup ? ' backup' : ''}`).sort(),
    get table() { return table; },
    refuse(pattern: RegExp | null) { refuse = pattern; },
    /** The link layer of `dev` loses (or regains) carrier, and the kernel announces it. */
    setCarrier(dev: string, on: boolean) {
      carrier.set(dev, on);
      f.fs.set(`/sys/class/net/${dev}/carrier`, on ? '1\n' : '0\n');
      f.linkEvent(dev);
    },
    /** The program spawned with this name (the relay, hotplug-call...), newest first. */
    programs: (name: string) => [...f.spawned.entries()].filter(([, p]) => p.argv[0] === name).map(([pid, p]) => ({ pid, ...p })).reverse(),
  };
}
