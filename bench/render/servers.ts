// bench/results.md's parts for several servers and metered uplinks, and their README rows. Pure.
import type { MeteredSection, ServerFailoverSection } from '../types.js';
import { fmt, pair } from './tables.js';

const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
const mb = (bytes: number) => fmt(bytes / 1e6, bytes < 1e7 ? 2 : 1);

export function serverFailoverTables(d: ServerFailoverSection): string[] {
  return [
    '## Server failover (two server hosts behind the same internet, 2 x 20 Mbit/s uplinks)', '',
    `${d.reps} runs. The primary server dies silently (everything to and from it dropped) while a call (50 packets/s of LAN UDP through ` +
      'the server) runs and a new LAN connection opens every 100 ms. New connections: seconds from the death until every connection ' +
      'opened from then on was answered. Call gap: the longest time between two answers the LAN client got. Default probe settings; ' +
      `between runs the primary comes back and takes new traffic again after the hold-down (${d.holdDownS} s here, 60 s by default).`, '',
    ...table(['figure', 'median s', 'max s', 'goal'], [
      ['new LAN connections answered', ...pair(d.newConnections, d.reps), '< 2 s'],
      ['longest gap of the call', ...pair(d.callGap, d.reps), '< 2 s'],
    ]),
  ];
}

export function meteredTables(d: MeteredSection): string[] {
  return [
    `## A metered LTE uplink in backup beside a healthy fibre uplink (${d.rates.join(' + ')} Mbit/s)`, '',
    `One LAN download through mpwan for ${d.seconds} s (${fmt(d.downloadMbit)} Mbit/s). Bytes each uplink carried, both ways, on the router's ` +
      'WAN devices: the download, the health probes, the backup subflow\'s upkeep.', '',
    ...table(['uplink', 'MB', 'share', 'goal'], [
      ['fibre', mb(d.fibreBytes), `${fmt((1 - d.lteShare) * 100, 2)}%`, ''],
      ['LTE (metered, backup)', mb(d.lteBytes), `${fmt(d.lteShare * 100, 3)}%`, '< 1%'],
    ]),
    ...(d.idle ? ['', `Idle for ${d.idle.seconds} s before (one server; the health probes, both ways), scaled to a day: fibre (probed every 0.5 s) ` +
      `${fmt(d.idle.fibrePerDay / 1e6)} MB, LTE (metered: probed every 5 s) ${fmt(d.idle.ltePerDay / 1e6)} MB.`] : []),
  ];
}

export function serverSummaryRows(f: ServerFailoverSection | undefined, m: MeteredSection | undefined): string[][] {
  const rows: string[][] = [];
  const s2 = (x: { median: number | null; max: number | null }) => (x.median === null ? 'n/a' : `${fmt(x.median, 2)} s (at most ${fmt(x.max, 2)})`);
  if (f) rows.push(['the primary server dies silently: new LAN connections answered / longest gap of a 50 packets/s call', `${s2(f.newConnections)} / ${s2(f.callGap)}`, '< 2 s each']);
  if (m) rows.push([`a metered LTE uplink in backup during a ${m.seconds} s LAN download beside fibre`, `${fmt(m.lteShare * 100, 3)}% of the bytes (${mb(m.lteBytes)} MB of ${mb(m.lteBytes + m.fibreBytes)})`, '< 1%']);
  return rows;
}
