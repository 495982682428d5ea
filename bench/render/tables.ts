// bench/results.md, one part per section, from bench/results.json. Pure.
import type { AggregationSection, CliSection, ConnectionsSection, DefaultRouteSection, EventsSection, FailoverSection, LuciSection, RateRun, RelayBench, Spread, UdpCallsSection } from '../types.js';

export const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
/** Median and max cells, n/a when not every run gave the figure. */
export const pair = (s: Spread, reps: number, digits = 2) => (s.runs.length === reps ? [fmt(s.median, digits), fmt(s.max, digits)] : [`n/a (${s.runs.length} of ${reps} runs)`, 'n/a']);
const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];

export function cliTables(d: CliSection): string[] {
  const rows = d.uplinks.flatMap((u) => [
    [String(u.wans), 'apply, cold (all changes)', fmt(u.applyCold.median), fmt(u.applyCold.p95), fmt(u.applyCold.rssMb), 'RSS < 8 MB'],
    [String(u.wans), 'apply, no-op', fmt(u.applyNoop.median), fmt(u.applyNoop.p95), fmt(u.applyNoop.rssMb), '< 50 ms, RSS < 8 MB'],
    [String(u.wans), 'status --json', fmt(u.status.median), fmt(u.status.p95), fmt(u.status.rssMb), ''],
  ]);
  const rpc = d.uplinks.flatMap((u) => [
    [String(u.wans), 'list', fmt(u.rpcList.median), fmt(u.rpcList.p95), fmt(u.rpcList.rssMb), '< 10 ms'],
    [String(u.wans), 'call status (daemon running: what LuCI polls)', fmt(u.rpcStatus.median), fmt(u.rpcStatus.p95), fmt(u.rpcStatus.rssMb), '< 6 ms alone'],
    [String(u.wans), 'call status (no daemon: everything read afresh)', fmt(u.rpcStatusNoDaemon.median), fmt(u.rpcStatusNoDaemon.p95), fmt(u.rpcStatusNoDaemon.rssMb), ''],
    [String(u.wans), 'call plan', fmt(u.rpcPlan.median), fmt(u.rpcPlan.p95), fmt(u.rpcPlan.rssMb), ''],
  ]);
  return [
    '## `mpwan` CLI (installed bundle under qjs, real kernel in a namespace)', '',
    `${d.runs} runs each. Wall time is measured inside the router namespace and includes starting qjs and every \`ip\`/\`ubus\` call; peak RSS comes from separate runs under GNU time.`, '',
    ...table(['uplinks', 'run', 'median ms', 'p95 ms', 'peak RSS MB', 'goal'], rows), '',
    '## ubus plugin alone (`/usr/libexec/rpcd/mpwan`, argv and stdin as rpcd passes them)', '',
    'rpcd, ubusd and the ubus client add 6-9 ms on top of the plugin (measured through the real rpcd), hence the plugin\'s budget.', '',
    ...table(['uplinks', 'call', 'median ms', 'p95 ms', 'peak RSS MB', 'goal'], rpc), '',
    '## Bundles', '',
    ...table(['file', 'bytes', 'gzip', 'goal'], d.bundles.map((b) => [b.name, String(b.bytes), String(b.gzip), b.name === '/usr/sbin/mpwan' ? '< 150 KB' : ''])),
  ];
}

export function aggregationTables(d: AggregationSection): string[] {
  const goals: Record<string, string> = { '20 + 20': '>= 95% of sum, >= 1.9x single', '40 + 20 + 10': '>= 85% of sum', '10 + 10 + 10 + 10': '>= 95% of sum' };
  const rows = d.shaped.map((r) => {
    const sum = (r.rates ?? []).reduce((a, b) => a + b, 0);
    return [r.links, r.congestion, String(sum), fmt(r.mpwan), `${fmt((r.mpwan / sum) * 100)}%`, fmt(r.raw), `${fmt((r.mpwan / r.raw) * 100, 0)}%`,
      fmt(r.single), fmt(r.mpwan / r.single, 2), r.congestion === 'bbr' ? goals[r.links.replace(/ Mbit\/s$/, '')] ?? '' : ''];
  });
  return [
    '## LAN client download: through mpwan vs. routed over the best single uplink', '',
    `One TCP download (iperf3 -R, ${d.seconds} s measured after ${d.warmup} s of warm-up) from a LAN client that knows nothing of MPTCP; median of ${d.reps} ` +
      'runs each, alternating. "single" is the same download with the destination bypassed, so it takes the default route (the fastest ' +
      'uplink). "raw MPTCP" is an MPTCP download from the server to the router itself, no proxy, in the same alternation: the kernel\'s ' +
      'ceiling. The links are linkem\'s clean links, 5 ms each way; linkem counts whole 1514-byte frames, as tbf does, and every MPTCP ' +
      'segment carries a 28-byte DSS option besides TCP timestamps, leaving 1420 bytes of payload per frame: 93.8% of the summed rate is ' +
      'the most a multipath connection can carry here. The relay\'s connections run BBR (its default, on router and server); rows with ' +
      'reno run them with the namespaces\' reno instead, the loss-based algorithm closest to the cubic of stock OpenWrt and Debian (this ' +
      'kernel does not let namespaces use cubic). Everything else runs reno.', '',
    ...table(['links', "relay's congestion control", 'sum Mbit/s', 'mpwan Mbit/s', '% of sum', 'raw MPTCP Mbit/s', 'mpwan / raw', 'best single uplink Mbit/s', 'mpwan / single', 'goal'], rows), '',
    `## Proxy overhead (2 unshaped veth uplinks: CPU-bound, ${d.unshaped.engine})`, '',
    ...table(['path', 'Mbit/s'], [['LAN client -> routed (no proxy)', fmt(d.unshaped.routed, 0)], ['LAN client -> proxy -> MPTCP -> server', fmt(d.unshaped.mpwan, 0)], ['ratio', fmt(d.unshaped.mpwan / d.unshaped.routed, 2)]]),
  ];
}

export function failoverTables(d: FailoverSection): string[] {
  const rows = (['link-down', 'silent-drop'] as const).map((k) => {
    const r = d.kinds[k];
    return [k, ...pair(r.failover, d.reps), ...pair(r.stall, d.reps), ...pair(r.recovery, d.reps), fmt(r.whileCut.median), `${r.lost} of ${d.reps}`,
      k === 'link-down' ? 'failover < 2 s, 0 lost' : 'failover < 3 s, 0 lost'];
  });
  const c = d.daemon;
  return [
    `## Failover (2 x ${d.rate} Mbit/s, one LAN download through the proxy; the first-subflow uplink is cut)`, '',
    `${d.reps} runs per kind; cut at ${d.cutAt} s, restored at ${d.restoreAt} s of a 14 s download. Failover: from the cut until a 0.5 s window in ` +
      `which the LAN client receives >= 90% of the remaining uplink's ${d.rate} Mbit/s (counted on the router's LAN device). Recovery: from the ` +
      'restore until a 100 ms sample shows > 2 Mbit/s on the restored uplink, on the same connection. Default probe settings. "While cut": ' +
      'what the LAN client received on average from the cut to the restore, outage included. "Later stall": the longest stretch after ' +
      'the failover in which the LAN client received < 10% of the rate.', '',
    ...table(['cut', 'failover median s', 'failover max s', 'later stall median s', 'later stall max s', 'recovery median s', 'recovery max s', 'LAN Mbit/s while cut (median)', 'connections lost', 'goal'], rows), '',
    '## New LAN connections during a silent drop of the first-subflow uplink', '',
    `A short connection through the proxy every 250 ms for 3 s after the cut, ${d.reps} runs: seconds after the cut from which every one was answered.`, '',
    ...table(['median', 'max', 'goal'], [[...pair(d.newConnections, d.reps), 'new connections after the cut succeed']]), '',
    `## The daemon at default probe settings (2 uplinks; idle ${c.idleS} s from 10 s after the last recovery, scaled to an hour)`, '',
    'One long-lived `ping -i 0.5` per uplink; a TCP connect to the server every 5 s per uplink while ICMP answers, all through one ' +
      'long-lived `mpwan-relay probe`; one `ip monitor link` for carrier. "Streaming probes": the CPU time of those long-lived processes. "Commands": what the daemon\'s ' +
      'children that ended used (the periodic `ip`/`ubus`/`nft` reads of the 60 s repair check). `nft monitor` (the table watch) counts with the streaming probes. The proxy engine is not counted (data path).', '',
    ...table(['daemon CPU s/hour', 'streaming probes CPU s/hour', 'commands CPU s/hour', 'together', 'RSS MB', 'peak RSS MB', 'goal'],
      [[fmt(c.selfPerHour, 0), fmt(c.probesPerHour ?? 0, 0), fmt(c.childrenPerHour, 0), fmt(daemonTotal(c), 0), fmt(c.rssMb), fmt(c.peakMb), 'together < 20 s/hour, RSS < 8 MB']]),
  ];
}

export function defaultRouteTables(d: DefaultRouteSection): string[] {
  const rows = (['silent-drop', 'link-down'] as const).flatMap((k) => {
    const r = d.kinds[k];
    const goal = k === 'silent-drop' ? '< 2 s' : '< 1 s';
    return [
      [k, 'LAN DNS (new names, through the router\'s dnsmasq)', ...pair(r.dns, d.reps), goal],
      [k, 'LAN UDP (one flow, NATed by the dead uplink)', ...pair(r.lanUdp, d.reps), goal],
      [k, 'the router\'s own UDP (new flows)', ...pair(r.routerUdp, d.reps), goal],
      [k, 'proxied LAN TCP download', `${r.tcpLost} of ${d.reps} lost`, '', '0 lost'],
    ];
  });
  return [
    '## DNS, UDP and the router\'s own traffic when the main-route uplink dies (2 x 20 Mbit/s, NAT on each WAN)', '',
    `${d.reps} runs per kind. Seconds from the cut until the first answer to a request sent after it (requests every 50 ms), while a ` +
      'proxied LAN download runs. Default probe settings. For reference, mwan3\'s shipped tracking needs about 15 s to declare a link down.', '',
    ...table(['cut', 'traffic', 'median s', 'max s', 'goal'], rows),
  ];
}

export function luciTables(d: LuciSection): string[] {
  const kb = (n: number) => (n / 1024).toFixed(1);
  return [
    '## LuCI views', '',
    `Built view files, and the time from navigation start to the view in the DOM in headless Chromium with ${d.uplinks} uplinks, ` +
      'served by the test stand-in for luci.js with `/ubus` calls running the real rpcd plugin under qjs. Real LuCI adds its own boot ' +
      `(luci.js, ui.js, form.js, the theme) before the view starts; that part is not measured. ${d.runs} loads each after a warm-up.`, '',
    ...table(['view', 'size KB', 'gzip -9 KB', 'first full render median ms', 'slowest ms'], d.views.map((v) => [v.view, kb(v.bytes), kb(v.gzip), fmt(v.renderMs.median, 0), fmt(v.renderMs.max, 0)])),
  ];
}

export function relayTables(d: RelayBench): string[] {
  const g = d.downloadGbit, c = d.cpuSecondsPerGB, goals = d.goals;
  const runsOf = (r: { runs: number[] }) => r.runs.map((x) => fmt(x, 2)).join(', ');
  const met = (k: string) => (goals[k] ? `${goals[k].goal}: ${goals[k].met ? 'met' : `**not met** (${fmt(goals[k].value, 2)})`}` : '');
  return [
    '## The data path: mpwan-relay against shadowsocks-libev and the kernel\'s own MPTCP (2 unshaped veth uplinks)', '',
    `${d.method}. Unshaped links make every figure CPU-bound on ${d.machine.cores} shared cores: compare rows of this table only. ` +
      '"kernel MPTCP" is iperf3 under mptcpize from server to router, no proxy, at its best write size (16, 64 or 128 KB); ' +
      'CPU seconds per GB are the proxy processes\' utime + stime.', '',
    ...table(['path', 'Gbit/s median', 'runs', 'router CPU s/GB', 'server CPU s/GB'], [
      ['LAN -> mpwan-relay -> MPTCP -> server', fmt(g.relay.median, 2), runsOf(g.relay), fmt(c.relay.router.median, 2), fmt(c.relay.server.median, 2)],
      ['LAN -> shadowsocks-libev (AEAD, mptcpize)', fmt(g.ssLibev.median, 2), runsOf(g.ssLibev), fmt(c.ssLibev.router.median, 2), fmt(c.ssLibev.server.median, 2)],
      ['kernel MPTCP, no proxy', fmt(g.rawMptcp.median, 2), runsOf(g.rawMptcp), '', ''],
      ['routed, no proxy', fmt(g.routed.median, 2), runsOf(g.routed), '', ''],
    ]), '',
    ...table(['figure', 'measured', 'goal'], [
      ['relay / kernel MPTCP', fmt(goals.relayVsKernelMptcp?.value, 2), met('relayVsKernelMptcp')],
      ['router CPU per GB, relay / shadowsocks-libev', fmt(goals.routerCpuVsSsLibev?.value, 2), met('routerCpuVsSsLibev')],
      ['RSS idle, router / server (MB)', `${fmt(d.rssKb.idle.router / 1024)} / ${fmt(d.rssKb.idle.server / 1024)}`, ''],
      ['RSS with 1,000 open connections, router / server (MB)', `${fmt(d.rssKb.with1000Open.router / 1024)} / ${fmt(d.rssKb.with1000Open.server / 1024)}`, met('rssMbWith1000Open')],
      ['stripped binary (x86_64, dynamic)', `${fmt(d.binaryBytes.dynamicStripped / 1024)} KB`, met('binaryKB')],
    ]),
  ];
}

export function udpCallsTables(d: UdpCallsSection): string[] {
  const names = { direct: "udp 'direct' (default route, NAT by the uplink)", server: "udp 'server' (through the relay and the server)", duplicate: "udp 'server' + duplicate" };
  const goals = { direct: '', server: 'gap < 1 s, no address change', duplicate: '0 lost' };
  const rows = (Object.keys(names) as (keyof typeof names)[]).map((m) => {
    const r = d.modes[m];
    return [names[m], ...pair(r.gap, d.reps), fmt(r.lost.median, 0), fmt(r.lost.max, 0), `${r.addressChanged} of ${d.reps}`, goals[m]];
  });
  return [
    '## A call while its uplink dies silently (50 packets/s of LAN UDP, 2 x 20 Mbit/s)', '',
    `${d.reps} runs per way, alternating; an 8 s call, the uplink carrying it silently dropping everything from 2 s on. Gap: the longest time ` +
      'between two answers the LAN client got. Lost: datagrams the far end never received. "Address changed": runs in which the far end saw ' +
      `its peer's address or port change. The relay adds ${d.overheadBytes.ipv4} bytes per datagram over IPv4 and ${d.overheadBytes.ipv6} over IPv6 ` +
      `(${fmt((d.overheadBytes.ipv4 / 1200) * 100)}% / ${fmt((d.overheadBytes.ipv6 / 1200) * 100)}% of a 1,200-byte payload; goal < 5%).`, '',
    ...table(['carried by', 'gap median s', 'gap max s', 'lost median', 'lost max', 'address changed', 'goal'], rows),
  ];
}

/** The daemon, its streaming probes and the commands it ran, CPU s/hour (older results have no probe column). */
export const daemonTotal = (c: { selfPerHour: number; childrenPerHour: number; probesPerHour?: number }) => c.selfPerHour + c.childrenPerHour + (c.probesPerHour ?? 0);

export function eventsTables(d: EventsSection): string[] {
  return [
    '## Events for scripts, and the nft table kept (2 uplinks, no server)', '',
    `${d.reps} runs each. Uplink down: its link goes down (its far end; the router sees carrier loss, netifd says nothing), over a ` +
      'second after the last link change; the daemon decides on the kernel\'s link event and logs it as it publishes the event; ' +
      '`ubus listen mpwan.uplink` prints it. The kernel announces link changes in batches at most once a second for all namespaces ' +
      'together (linkwatch), so on this shared machine other tests\' link changes delay the event the daemon decides on; ' +
      'from the decision on, the event is the daemon\'s. Table back: from `nft delete table inet mpwan` until `nft list table inet mpwan` shows it ' +
      'again (the daemon watches `nft monitor`).', '',
    ...table(['what', 'median s', 'max s', 'goal'], [
      ['`ubus listen` prints the uplink down, after the daemon decided it', ...pair(d.heardAfterDecision, d.reps, 3), '< 1 s'],
      ['`ubus listen` prints the uplink down, after its link went down', ...pair(d.uplinkDownHeard, d.reps, 3), ''],
      ['table inet mpwan back after a deletion', ...pair(d.tableBack, d.reps, 3), '< 2 s'],
    ]),
  ];
}

const n = (x: number) => x.toLocaleString('en-US');

export function connectionsTables(d: ConnectionsSection): string[] {
  const counted = (r: RateRun) => [
    r.relayCounted.serverOverflow ? `${r.relayCounted.serverOverflow} handshakes refused by the server's full replay cache` : '',
    r.relayCounted.routerRefused || r.relayCounted.serverRefused ? `${r.relayCounted.routerRefused} / ${r.relayCounted.serverRefused} refused for want of ports or memory (router / server)` : '',
  ].filter(Boolean);
  const failures = (r: RateRun) => (r.failed ? ` (${[Object.entries(r.failures).map(([k, n]) => `${k} ${n}`).join(', '), ...counted(r)].join('; ')})` : '');
  const row = (r: RateRun, what: string) => [what, `${n(r.rate)}/s for ${r.seconds} s`, `${n(r.ok)} / ${n(r.failed)}${failures(r)}`, n(r.achievedRate),
    `${fmt(r.p50Ms, 0)} / ${fmt(r.p99Ms, 0)}`, `${fmt(r.cpuPer1000.router, 2)} / ${fmt(r.cpuPer1000.server, 2)}`, `${n(r.timeWaitMax.router)} / ${n(r.timeWaitMax.server)}`];
  const o = d.openAtOnce, mb = (kb: number) => fmt(kb / 1024);
  return [
    '## Many short LAN connections through mpwan-relay (2 unshaped veth uplinks)', '',
    `${d.method}. The LAN clients, the echo server and both relay sides share the machine's cores. CPU: utime + stime of each relay ` +
      'process per 1,000 connections. TIME_WAIT: the most sockets in that state seen in the router\'s and the server\'s namespace.', '',
    ...table(['run', 'offered', 'echoed / failed', 'echoed a second', 'latency ms median / p99', 'CPU s per 1,000, router / server', 'TIME_WAIT router / server'],
      [row(d.sustained, 'sustained'), ...d.steps.map((r) => row(r, 'step'))]), '',
    ...table(['figure', 'measured', 'goal'], [
      [`${n(d.sustained.rate)} a second for ${d.sustained.seconds / 60} minutes`, `${n(d.sustained.ok)} echoed, ${n(d.sustained.failed)} failed`, 'none failed'],
      ['highest rate without a failure (of those tried)', `${n(d.highestWithoutFailure)} a second`, ''],
      [`${n(o.n)} open at once, then all echoing`, `${n(o.ok)} echoed, ${n(o.failed)} failed` + (o.n < o.wanted
        ? ` (${o.wanted.toLocaleString('en-US')} wanted: each relay holds two descriptors a connection, and the hard limit here is ${o.fdLimit.toLocaleString('en-US')})` : ''), 'none failed'],
      ['RSS idle / with them open, router; server (MB)', `${mb(o.rssKb.idle.router)} / ${mb(o.rssKb.open.router)}; ${mb(o.rssKb.idle.server)} / ${mb(o.rssKb.open.server)}`, 'router < 32'],
      ['file descriptors with them open, router / server', `${n(o.fds.router)} / ${n(o.fds.server)}`, ''],
      ['connections refused for want of ports or memory, router / server', `${d.refused.router} / ${d.refused.server}`, '0'],
    ]),
  ];
}
