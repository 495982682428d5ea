// Failover and health probes on links as they really are (issue 20): results.md's tables and the
// README summary's rows for the profileFailover and probeFlaps sections. Pure.
import type { FailoverSection, ProbeFlapsSection, ProfileFailoverSection, Spread } from '../types.js';
import { fmt, pair } from './tables.js';

const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
const s2 = (x: Spread) => (x.median === null ? 'n/a' : `${fmt(x.median, 2)} s (at most ${fmt(x.max, 2)})`);
const GOAL = { 'link-down': 'outage < 2 s, 0 lost', 'silent-drop': 'outage < 3 s, 0 lost' } as const;

export function profileFailoverTables(d: ProfileFailoverSection, plain?: FailoverSection): string[] {
  const rows = d.dying.flatMap((x) => (['link-down', 'silent-drop'] as const).map((k) => {
    const r = x.kinds[k];
    const base = plain?.kinds[k];
    return [`${x.which} (${x.link})`, k, ...pair(r.failover, d.reps), ...pair(r.stall, d.reps), ...pair(r.gap, d.reps), ...pair(r.recovery, d.reps),
      fmt(r.whileCut.median), fmt(x.remainingAloneMbit), `${r.lost} of ${d.reps}`,
      base ? `${fmt(base.failover.median, 2)} / ${fmt(base.stall.median, 2)}` : 'n/a', GOAL[k]];
  }));
  const conns = d.dying.map((x) => [`${x.which} (${x.link})`, ...pair(x.newConnections, d.reps), plain ? fmt(plain.newConnections.median, 2) : 'n/a']);
  const names = d.dying.map((x) => x.link);
  return [
    `## Failover on links as they really are (profile ${d.profile})`, '',
    `The failover figures above measured again with both WANs through linkem as the first link profile (fibre 100/40 Mbit/s 5 ms + ` +
      `LTE 40/10 Mbit/s 45 ms, jitter 10 ms, 0.5% loss), stock TCP buffer limits, one LAN download through the proxy; ${d.reps} runs per row, ` +
      `cut at ${d.cutAt} s and restored at ${d.restoreAt} s. The faster uplink (the fibre) carries the main route and new connections' first ` +
      `subflow; the slower one (LTE) the second. Same definitions as above, against what the remaining uplink carries alone (one routed TCP ` +
      `download, measured in the same run: ${d.dying.map((x) => x.aloneMbit.map((a, i) => `${names[i]} ${fmt(a)}`).join(', ')).join('; then ')} Mbit/s). ` +
      `"Longest gap": the longest stretch from the cut to the restore in which the LAN client got < 10% of that, however it splits into ` +
      'outage and later stall. When the fibre dies, LTE alone carries so little (one TCP flow at 0.5% loss and 90 ms RTT) that the frames ' +
      'linkem still held at the cut already reach 90% of it: the outage reads 0 and the hole shows as the stall and the gap. When LTE ' +
      'dies, the outage is mostly the fibre\'s subflow growing from its share to 90% of the whole fibre (the LAN client is not cut off: see ' +
      'the gap). Goals as on plain links.', '',
    ...table(['dying uplink', 'cut', 'outage median s', 'outage max s', 'later stall median s', 'later stall max s', 'longest gap median s', 'longest gap max s',
      'recovery median s', 'recovery max s', 'LAN Mbit/s while cut (median)', 'remaining uplink alone Mbit/s', 'connections lost', 'plain 2 x 20 Mbit/s: outage / stall median s', 'goal'], rows), '',
    `New LAN connections during a silent drop of each uplink (a connection every 250 ms for 3 s, ${d.reps} runs): seconds after the cut from which every one was answered.`, '',
    ...table(['dying uplink', 'median s', 'max s', 'plain 2 x 20 Mbit/s median s'], conns),
  ];
}

export function probeFlapsTables(d: ProbeFlapsSection): string[] {
  const uplinks = Object.keys(d.stateChanges);
  const rows = uplinks.map((u, i) => [`${u} (${d.links[i]})`, String(d.stateChanges[u]), String(d.suspectRounds[u]),
    ...pair(d.declaredDownS[u], d.declaredDownS[u].runs.length), ...pair(d.declaredDownTbfS[u], d.declaredDownTbfS[u].runs.length), '0 changes; declared down as fast as on tbf']);
  return [
    `## Health probes under jitter and loss (profile ${d.profile}, LTE jitter raised to 20 ms)`, '',
    `The daemon at its default probe settings (a round every 0.5 s, 1 s timeout, down after 3 rounds unanswered, up after 3 answered) for ` +
      `${fmt(d.watchS / 60, 0)} minutes with nothing failing: the uplinks' up/down changes counted (goal 0), and how often one became ` +
      '"suspect" (a missed round: only new connections\' first subflow moves off it, nothing is withdrawn). Then each uplink silently ' +
      'dropped everything, timed from the cut until the daemon declared it down, beside the same on plain tbf links (2 x 20 Mbit/s, no delay). ' +
      'The watch ran outside the bench lock (it counts state changes, not speed); the outages were timed holding it.', '',
    ...table(['uplink', 'state changes', 'suspect spells', 'declared down, median s', 'max s', 'on tbf links, median s', 'max s', 'goal'], rows),
  ];
}

/** README summary rows. */
export function linkFailoverSummary(pf?: ProfileFailoverSection, fl?: ProbeFlapsSection): string[][] {
  const rows: string[][] = [];
  for (const x of pf?.dying ?? []) {
    const sd = x.kinds['silent-drop'], ld = x.kinds['link-down'];
    rows.push([`failover on fibre + LTE through linkem, the ${x.link} dying (silent drop / link down)`,
      `longest gap in the download ${s2(sd.gap)} / ${s2(ld.gap)}; ${sd.lost + ld.lost} connections lost; new connections all answered from ${s2(x.newConnections)} after a silent drop`, '< 3 s / < 2 s, 0 lost']);
  }
  if (fl) {
    const changes = Object.values(fl.stateChanges).reduce((a, b) => a + b, 0);
    const down = Object.keys(fl.declaredDownS).map((u) => {
      const [a, b] = [fl.declaredDownS[u], fl.declaredDownTbfS[u]];
      return `${u} ${fmt(a.median, 2)} s, at most ${fmt(a.max, 2)} (on tbf links ${fmt(b.median, 2)}, at most ${fmt(b.max, 2)})`;
    }).join(', ');
    rows.push([`uplink up/down flaps over ${fmt(fl.watchS / 60, 0)} minutes, LTE with 20 ms jitter and 0.5% loss; a silent drop declared down after`, `${changes} flaps; ${down}`, '0; as on tbf']);
  }
  return rows;
}
