// The link-profile sections of bench/results.md (profiles, linkem's cost) and README.md's
// profiles block, from bench/results.json. Pure.
import type { LinkemSection, ProfileDirection, ProfileResult, ProfilesSection, Range } from '../types.js';
import { fmt } from './tables.js';

const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
const spread = (r: Range, digits = 1) => `${fmt(r.median, digits)} (${fmt(r.min, digits)}-${fmt(r.max, digits)})`;
const pct = (a: number, b: number) => `${fmt((a / b) * 100, 0)}%`;
const every = (r: Range) => r.runs.map((x) => fmt(x)).join(', ');
const mean = (r: Range) => r.runs.reduce((s, x) => s + x, 0) / r.runs.length;

/** The goals of issue 20 for one direction, judged on the runs: mpwan's worst run against the best link's median. */
export function judge(d: ProfileDirection) {
  const best = Math.max(...d.links.map((l) => l.median));
  const sum = d.links.reduce((s, l) => s + l.median, 0);
  return { best, sum, worstVsBest: d.mpwan.min / best, medianVsSum: d.mpwan.median / sum, neverBelow: d.mpwan.min >= best };
}

function directionRow(p: ProfileResult, dir: 'down' | 'up'): string[] {
  const d = p[dir], j = judge(d);
  return [dir === 'down' ? `${p.name} download` : `${p.name} upload`, spread(d.mpwan), spread(d.raw), ...d.links.map((l) => spread(l)),
    fmt(j.sum), `${pct(d.mpwan.min, j.best)} / ${pct(d.mpwan.median, j.sum)}`];
}

export function profilesTables(d: ProfilesSection): string[] {
  const p0 = d.profiles[0];
  if (!p0) return [];
  const out = [
    '## Links as they really are (link profiles, `test/linkem/profiles.ts`)', '',
    `Every WAN runs through linkem (test/linkem). One LAN download and one upload at a time, ${p0.seconds} s after a warm-up of ` +
      `${d.profiles.map((p) => p.warmup).join('/')} s, reno on router and server, Mbit/s of TCP payload: median (min-max) of ${d.reps} rounds, ` +
      'each round measuring every column one after another. "kernel MPTCP" is iperf3 over MPTCP from router to server with no proxy; ' +
      'a link alone is the LAN client routed through that WAN with mpwan bypassed. Goals: mpwan\'s worst run >= the best link alone (median), ' +
      'and mpwan\'s median >= 90% of the sum for the first three profiles.', '',
  ];
  for (const p of d.profiles) {
    out.push(`**${p.title}**`, '');
    out.push(...table(['transfer', 'mpwan', 'kernel MPTCP', ...p.links.map((l) => `${l} alone`), 'sum of links', 'mpwan worst / best link, median / sum'],
      [directionRow(p, 'down'), directionRow(p, 'up')]), '');
    const variants = p.down.variants ?? [];
    if (variants.length) {
      out.push('Settings tried side by side in the same rounds (on router and server; mpwan column as above for comparison):', '');
      out.push(...table(['settings', 'download', 'upload'], [
        ['as in the table', spread(p.down.mpwan), spread(p.up.mpwan)],
        ...variants.map((v, k) => [`${v.name}: ${Object.entries(v.sysctls).map(([a, b]) => `${a}=${b.replace(/\//g, ' ')}`).join(', ')}`, spread(v.mpwan), spread(p.up.variants![k].mpwan)]),
      ]), '');
    }
    out.push(`A 50 packets/s call through the server while ${p.links[0]} dies silently (${d.callRuns} runs): longest gap ${spread(p.call.gapS, 2)} s, ` +
      `${spread(p.call.lost, 0)} lost. linkem's latest frame: ${fmt(p.linkemLateMaxMs, 1)} ms after its time.`, '');
  }
  const t = p0.tuning;
  out.push(`Settings while measuring: router ${Object.entries(t.router).map(([k, v]) => `${k}=${v}`).join(', ')}; server ${Object.entries(t.server).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
  return out;
}

/** The tuning section: each setting mpwan could change against mpwan as it is, in the same rounds. */
export function tuningTables(d: ProfilesSection): string[] {
  const p0 = d.profiles[0];
  if (!p0) return [];
  const names = p0.down.variants?.map((v) => v.name) ?? [];
  const sett = (p: ProfileResult, k: number) => Object.entries(p.down.variants![k].sysctls).map(([a, b]) => `${a}=${b.replace(/\//g, ' ')}`).join(', ');
  return [
    '## Tuning on the link profiles (`BENCH_ONLY=profileTuning make bench`)', '',
    `Each setting against mpwan as it is (first column), measured in the same rounds one after another: ${d.reps} rounds, ${p0.seconds} s after the warm-up, ` +
      'Mbit/s of every round. A setting named router- or server- changes that side only (settings: ' +
      `${names.map((n, k) => `${n}: ${sett(p0, k)}`).join('; ')}).`, '',
    ...table(['profile', 'transfer', 'as it is', ...names], d.profiles.flatMap((p) => (['down', 'up'] as const).map((dir) =>
      [dir === 'down' ? p.name : '', dir === 'down' ? 'download' : 'upload', every(p[dir].mpwan), ...(p[dir].variants ?? []).map((v) => every(v.mpwan))]))),
  ];
}

export function linkemTables(d: LinkemSection): string[] {
  return [
    '## linkem\'s own cost', '',
    `CPU of the linkem process (utime + stime over the whole iperf3 run, per second of transfer) while one TCP transfer fills a ${d.rateMbit} Mbit/s ` +
      `link with 5 ms each way, ${d.seconds} s, ${d.cpuPercent.runs.length} runs: **${fmt(d.cpuPercent.median, 1)}% of one core** ` +
      `(runs ${d.cpuPercent.runs.map((x) => fmt(x, 1)).join(', ')}; goal < 10%), TCP ${fmt(d.tcpMbit.median, 1)} Mbit/s.`,
  ];
}

/** README: one row per profile and direction. */
export function profilesReadme(d: ProfilesSection): string[] {
  const rows = d.profiles.flatMap((p) => (['down', 'up'] as const).map((dir) => {
    const x = p[dir], j = judge(x);
    return [dir === 'down' ? p.title : '',
      dir === 'down' ? 'download' : 'upload', spread(x.mpwan), fmt(x.raw.median), x.links.map((l, k) => `${p.links[k]} ${fmt(l.median)}`).join(', '),
      `${pct(x.mpwan.min, j.best)} / ${pct(x.mpwan.median, j.sum)}`, dir === 'down' ? `${fmt(p.call.gapS.median, 2)} s (max ${fmt(p.call.gapS.max, 2)})` : ''];
  }));
  const verdicts = (test: (x: ProfileDirection, p: ProfileResult) => boolean, ps = d.profiles) =>
    ps.flatMap((p) => (['down', 'up'] as const).map((dir) => `${p.name} ${dir === 'down' ? 'download' : 'upload'} ${test(p[dir], p) ? 'met' : 'MISSED'}`)).join(', ');
  return [
    ...table(['profile', 'transfer', 'mpwan Mbit/s, median (min-max)', 'kernel MPTCP', 'each link alone', 'mpwan worst / best link, median / sum', 'call gap when the first link dies silently'], rows), '',
    `Goals, judged on these rounds. mpwan's worst round at least the best link alone: ${verdicts((x) => judge(x).neverBelow)}. ` +
      `mpwan's median at least 90% of the sum (first three profiles): ${verdicts((x) => judge(x).medianVsSum >= 0.9, d.profiles.slice(0, 3))}. ` +
      `The call's longest gap under 1 s: ${d.profiles.map((p) => `${p.name} ${p.call.gapS.max < 1 ? 'met' : 'MISSED'}`).join(', ')}.`,
  ];
}

/** README: each setting tried, as a percentage of mpwan as it is, per profile (means of the same rounds). */
export function tuningReadme(d: ProfilesSection): string[] {
  const p0 = d.profiles[0];
  if (!p0?.down.variants) return [];
  const cell = (p: ProfileResult, dir: 'down' | 'up', k: number) => pct(mean(p[dir].variants![k].mpwan), mean(p[dir].mpwan));
  return table(['setting (router and server otherwise as above)', ...d.profiles.map((p) => `${p.name} down / up`)],
    p0.down.variants.map((v, k) => [`${v.name}: ${Object.entries(v.sysctls).map(([a, b]) => `${a.replace(/^(router|server)\.net\.ipv4\./, '$1 ')} ${b.replace(/\//g, ' ')}`).join(', ')}`,
      ...d.profiles.map((p) => `${cell(p, 'down', k)} / ${cell(p, 'up', k)}`)]));
}
