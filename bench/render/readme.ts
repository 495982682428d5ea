// The README's figures, as blocks rendered from bench/results.json: the summary table and the
// sentences that quote a measurement. Pure.
import type { Results, Spread } from '../types.js';
import { daemonTotal, fmt } from './tables.js';
import { feedSizeRows } from './feed.js';
import { serverSummaryRows } from './servers.js';
import { profilesReadme, tuningReadme } from './profiles.js';
import { linkFailoverSummary } from './link-failover.js';

const s2 = (x: Spread, unit = 's') => (x.median === null ? 'n/a' : `${fmt(x.median, 2)} ${unit} (at most ${fmt(x.max, 2)})`);
const pct = (a: number, b: number) => `${fmt((a / b) * 100, 0)}%`;

function summary(r: Results): string[] {
  const rows: string[][] = [];
  const agg = r.sections.aggregation?.data;
  for (const row of agg?.shaped.filter((x) => x.congestion === 'bbr') ?? []) {
    const sum = (row.rates ?? []).reduce((a, b) => a + b, 0);
    const goal = sum === 40 && row.rates!.length === 2 ? '>= 95%, >= 1.9x' : row.rates!.length === 3 ? '>= 85%' : '>= 95%';
    rows.push([`one LAN download, ${row.links}`, `${fmt(row.mpwan)} Mbit/s, ${pct(row.mpwan, sum)} of the sum (the kernel's own MPTCP, no proxy: ${fmt(row.raw)}), ` +
      `${fmt(row.mpwan / row.single, 2)}x the best single uplink (${fmt(row.single)})`, goal]);
  }
  const fo = r.sections.failover?.data;
  if (fo) {
    const ld = fo.kinds['link-down'], sd = fo.kinds['silent-drop'];
    rows.push(['failover, uplink link down (carrier lost)', `${s2(ld.failover)} outage, ${ld.lost} connections lost`, '< 2 s']);
    rows.push(['failover, uplink silently dropping everything', `${s2(sd.failover)} outage, then one ${s2(sd.stall)} stall; ${sd.lost} connections lost`, '< 3 s']);
    rows.push(['back on a restored uplink, same connection', s2(sd.recovery.median! > ld.recovery.median! ? sd.recovery : ld.recovery), '']);
    rows.push(['new LAN connections during a silent drop', `all answered when opened ${s2(fo.newConnections)} after the cut`, '']);
    const c = fo.daemon;
    rows.push(['daemon and its probes (2 uplinks, default probes)', `${fmt(daemonTotal(c), 0)} CPU s/hour (daemon ${fmt(c.selfPerHour, 0)}, streaming probes ${fmt(c.probesPerHour ?? 0, 0)}, commands ${fmt(c.childrenPerHour, 0)}); ${fmt(c.rssMb)} MB RSS`, '< 20 s/hour, < 8 MB']);
  }
  rows.push(...linkFailoverSummary(r.sections.profileFailover?.data, r.sections.probeFlaps?.data));
  const ev = r.sections.events?.data;
  if (ev) {
    rows.push(['`ubus listen mpwan.uplink` shows an uplink down, after the daemon decided it / after its link went down', `${s2(ev.heardAfterDecision)} / ${s2(ev.uplinkDownHeard)}`, '< 1 s after the daemon decides']);
    rows.push(['table `inet mpwan` deleted by hand (or another package) is back after', s2(ev.tableBack), '< 2 s']);
  }
  const dr = r.sections.defaultRoute?.data;
  if (dr) {
    for (const k of ['silent-drop', 'link-down'] as const) {
      const x = dr.kinds[k];
      rows.push([`DNS, LAN UDP, the router's own UDP after a ${k === 'silent-drop' ? 'silent drop' : 'link down'} of the main-route uplink`,
        `answer again after ${s2(x.dns)}, ${s2(x.lanUdp)}, ${s2(x.routerUdp)}`, k === 'silent-drop' ? '< 2 s' : '< 1 s']);
    }
  }
  const udp = r.sections.udpCalls?.data;
  if (udp) {
    const m = udp.modes;
    rows.push(['a call (LAN UDP, 50 packets/s) while its uplink dies silently: direct / through the server / + duplicate',
      `longest gap ${s2(m.direct.gap)} / ${s2(m.server.gap)} / ${s2(m.duplicate.gap)}; lost at most ${fmt(m.direct.lost.max, 0)} / ${fmt(m.server.lost.max, 0)} / ${fmt(m.duplicate.lost.max, 0)}; ` +
      `the far end saw its peer change in ${m.direct.addressChanged} / ${m.server.addressChanged} / ${m.duplicate.addressChanged} of ${udp.reps} runs`, 'server: < 1 s, no change; duplicate: 0 lost']);
  }
  rows.push(...serverSummaryRows(r.sections.serverFailover?.data, r.sections.metered?.data));
  const relay = r.sections.relay?.data;
  if (relay) {
    const g = relay.goals;
    rows.push(['LAN TCP through mpwan-relay, unshaped veths (CPU-bound)', `${fmt(relay.downloadGbit.relay.median, 1)} Gbit/s, ${pct(relay.downloadGbit.relay.median, relay.downloadGbit.rawMptcp.median)} ` +
      `of the kernel's own MPTCP (${fmt(relay.downloadGbit.rawMptcp.median, 1)}); shadowsocks-libev ${fmt(relay.downloadGbit.ssLibev.median, 1)}`,
      'none: the old >= 95% was wrong (three TCP stacks against one on 2 shared cores); on links slower than the CPU it equals the kernel\'s MPTCP (rows above)']);
    rows.push(['router CPU per GB, mpwan-relay / shadowsocks-libev', `${fmt(g.routerCpuVsSsLibev?.value, 2)} (${fmt(relay.cpuSecondsPerGB.relay.router.median, 2)} / ${fmt(relay.cpuSecondsPerGB.ssLibev.router.median, 2)} s/GB)`, '<= 0.33']);
    rows.push(['mpwan-relay with 1,000 open connections / binary', `${fmt(Math.max(relay.rssKb.with1000Open.router, relay.rssKb.with1000Open.server) / 1024)} MB RSS / ${fmt(relay.binaryBytes.dynamicStripped / 1024)} KB`, '< 32 MB / < 100 KB']);
  }
  const conn = r.sections.connections?.data;
  if (conn) {
    const s = conn.sustained, o = conn.openAtOnce;
    const n = (x: number) => x.toLocaleString('en-US');
    rows.push([`new LAN connections through mpwan-relay, ${n(s.rate)} a second for ${fmt(s.seconds / 60, 0)} minutes (request, half-close, echo checked)`,
      `${n(s.ok)} echoed, ${n(s.failed)} failed; highest rate without a failure ${n(conn.highestWithoutFailure)}/s; CPU per 1,000 ${fmt(s.cpuPer1000.router, 2)} s router, ${fmt(s.cpuPer1000.server, 2)} s server`, 'none failed']);
    const cut = o.n < o.wanted ? ` (not ${n(o.wanted)}: this machine's hard limit of ${n(o.fdLimit)} descriptors, two a connection)` : '';
    rows.push([`${n(o.n)} LAN connections open at once through mpwan-relay${cut}`,
      `${n(o.ok)} echoed, ${n(o.failed)} failed; RSS router ${fmt(o.rssKb.open.router / 1024)} MB, server ${fmt(o.rssKb.open.server / 1024)} MB; ${n(o.fds.router)} / ${n(o.fds.server)} descriptors`, 'none failed, router < 32 MB']);
  }
  const cli = r.sections.cli?.data;
  if (cli) {
    const u = cli.uplinks;
    const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? fmt(xs[0]) : `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}`);
    rows.push([`\`mpwan apply\` with nothing to change / \`ubus call mpwan status\` (plugin alone, daemon running)`,
      `${range(u.map((x) => x.applyNoop.median))} ms / ${range(u.map((x) => x.rpcStatus.median))} ms (${u.map((x) => x.wans).join(' and ')} uplinks)`, '< 50 / < 6 ms']);
  }
  return ['| what | measured | goal |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

/** Sentences that quote figures: each kept beside the table it comes from. */
function aggregationNotes(r: Results): string[] {
  const agg = r.sections.aggregation?.data;
  const fo = r.sections.failover?.data;
  if (!agg) return [];
  const reno = agg.shaped.filter((x) => x.congestion === 'reno');
  const ofSum = (x: { mpwan: number; rates: number[] | null }) => pct(x.mpwan, (x.rates ?? []).reduce((a, b) => a + b, 0));
  const out = [
    `The relay runs its connections with BBR (\`congestion\`, on router and server); with the system's reno instead, in the same run: ${reno.map((x) => `${x.links} ${ofSum(x)} of the sum`).join(', ')}, ` +
      `against ${agg.shaped.filter((x) => x.congestion === 'bbr' && reno.some((b) => b.links === x.links)).map(ofSum).join(' and ')} with BBR. ` +
      'These links have 5 ms of delay each way; on shaped links with none at all (plain tbf) BBR misjudged them and uploads over 40 + 20 + 10 Mbit/s fell to 45-49 Mbit/s against 65-66 with reno ([bench/experiments/2026-12-congestion.md](bench/experiments/2026-12-congestion.md)). Over links that lose packets BBR does much better: "Links as they really are" below.',
  ];
  if (fo) out.push(`While an uplink is cut the LAN client gets ${fmt(fo.kinds['link-down'].whileCut.median)} (link down) and ${fmt(fo.kinds['silent-drop'].whileCut.median)} (silent drop) Mbit/s on average of the ~19 the remaining uplink can carry, outage included.`);
  return out;
}

export function readmeBlocks(r: Results): Record<string, string> {
  const blocks: Record<string, string> = { summary: summary(r).join('\n'), 'aggregation-notes': aggregationNotes(r).join('\n') };
  if (r.sections.profiles) blocks.profiles = profilesReadme(r.sections.profiles.data).join('\n');
  if (r.sections.profileTuning) blocks['profile-tuning'] = tuningReadme(r.sections.profileTuning.data).join('\n');
  if (r.sections.feed) blocks['feed-sizes'] = feedSizeRows(r.sections.feed.data).join('\n');
  return blocks;
}
