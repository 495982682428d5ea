// Human output for an SSH session: aligned columns, no colour, sizes people read.
import type { StatusReport } from '../status/status.js';

export function humanBytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

const time = (epoch: number) => `${new Date(epoch * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`;

/** LAN UDP: where it goes, and what the relay carried for it. */
function udpLines(u: StatusReport['proxy']['udp']): string[] {
  if (u.mode === 'direct') return ['  LAN UDP: normal route (udp direct)'];
  const out = [`  LAN UDP: through the server${u.active ? '' : ' (OFF while the redirect is off: normal route)'}; ` +
    `${u.active_sessions} session(s) open, ${u.sessions} since start, ${u.datagrams_up} datagrams up / ${u.datagrams_down} down` +
    (u.bad > 0 ? `, ${u.bad} bad dropped` : '')];
  if (u.duplicate.length > 0) out.push(`  Duplicated on two uplinks: ${u.duplicate.join(', ')} (${u.duplicates_dropped} second copies dropped)`);
  for (const p of u.paths) {
    out.push(`    via ${p.uplink} from ${p.source}: ${p.alive ? `answers${p.rtt_ms !== null ? ` in ${p.rtt_ms} ms` : ''}` : 'NO ANSWER (skipped)'}, ` +
      `${humanBytes(p.bytes_up)} up / ${humanBytes(p.bytes_down)} down`);
  }
  return out;
}

export function formatStatus(s: StatusReport): string {
  const out: string[] = [];
  const sync = s.in_sync ? 'in sync' : `${s.pending.length} pending change(s): run 'mpwan apply'`;
  out.push(`mpwan ${s.version}: ${s.enabled ? 'enabled' : 'disabled'}, ${sync}`);
  if (s.config_error) {
    out.push('', "The config file is invalid; the last valid one stays in force until it is fixed ('mpwan check'):",
      ...s.config_error.errors.map((e) => `  ${e.file}:${e.line}: ${e.option ? e.option + ': ' : ''}${e.message}`));
  }
  out.push('');
  const rows = [['UPLINK', 'MODE', 'STATE', 'DEVICE', 'TABLE', 'ENDPOINTS', 'RX', 'TX']];
  for (const u of s.uplinks) {
    const eps = u.endpoints.map((e) => `#${e.id} ${e.address} ${e.flags.join(',')}`);
    rows.push([u.name, u.mode, u.state, u.device ?? '-', String(u.table), eps[0] ?? '-', humanBytes(u.rx_bytes), humanBytes(u.tx_bytes)]);
    for (const more of eps.slice(1)) rows.push(['', '', '', '', '', more, '', '']);
  }
  out.push(s.uplinks.length > 0 ? table(rows) : 'No uplinks configured: add `config uplink` sections to /etc/config/mpwan.');
  const health = s.uplinks.filter((u) => u.health || u.failure).map((u) => {
    const h = u.health;
    const since = h ? ` since ${time(h.since)}` : '';
    const probes = h?.probed ? `, latency ${h.latency_ms ?? '-'} ms, loss ${Math.round(h.loss * 100)}%` : h ? ', carrier only (nothing to probe)' : '';
    const why = u.failure ?? h?.reason ?? (h?.suspect ? `missed a probe round lately (${h.last_error})` : null);
    return `  ${u.name}: ${h?.state ?? 'down'}${since}${probes}${why ? `: ${why}` : ''}`;
  });
  if (health.length > 0) out.push('', 'Health:', ...health);
  const routes = s.default_route.filter((d) => d.uplink !== null || d.reason !== `no healthy uplink has an IPv${d.family} default route`);
  if (routes.length > 0) {
    out.push('', 'Default route (DNS, UDP, the router\'s own traffic):', ...routes.map((d) => d.uplink
      ? `  IPv${d.family}: ${d.uplink}${d.since ? ` since ${time(d.since)}` : ''}`
      : `  IPv${d.family}: netifd's main table (${d.reason})`));
  }
  const skipped = s.uplinks.flatMap((u) => u.skipped.map((k) => `  ${u.name}: ${k.address}: ${k.reason}`));
  if (skipped.length > 0) out.push('', 'Addresses not used:', ...skipped);
  if (s.foreign_endpoints.length > 0) {
    out.push('', 'Endpoints not managed by mpwan:',
      ...s.foreign_endpoints.map((e) => `  #${e.id} ${e.address}${e.dev ? ' dev ' + e.dev : ''} ${e.flags.join(',')}`));
  }
  const planned = s.planned_limits;
  const limits = `subflows ${s.limits.subflows}, add_addr_accepted ${s.limits.add_addr_accepted}`;
  out.push('', `Limits: ${limits}${planned && (planned.subflows !== s.limits.subflows || planned.add_addr_accepted !== s.limits.add_addr_accepted) ? ` (planned: subflows ${planned.subflows}, add_addr_accepted ${planned.add_addr_accepted})` : ''}`);
  const c = s.counters;
  out.push(`MPTCP: ${c.MPCapableSYNTX} connections opened, ${c.MPJoinSynTx} joins sent / ${c.MPJoinSynAckRx} accepted, ${c.MPJoinSynRx} joins received, ` +
    `${c.MPCapableFallbackACK + c.MPCapableFallbackSYNACK} fell back to TCP, ${c.MPJoinRejected} joins rejected`);
  if (c.MPCapableFallbackSYNACK > 0) out.push('  Note: some peers answered without MPTCP (a middlebox may strip MPTCP options).');
  if (c.MPJoinRejected > 0) out.push("  Note: joins were rejected: a peer's subflow limit is too low.");
  const p = s.proxy;
  if (p.enabled && p.error) {
    out.push('', `Proxy: ${p.engine}: not running: ${p.error}. LAN traffic uses the normal route.`);
  } else if (p.enabled) {
    const conns = p.server_connections;
    out.push('', `Proxy: ${p.engine} on port ${p.port} -> ${p.server}: ` + (!s.daemon.running ? 'not running (start the mpwan service)'
      : `${p.running_instances}/${p.instances} instance(s) running, MPTCP by ${p.mptcp_by}, LAN redirect ${p.redirect_active ? 'on' : 'OFF (LAN traffic uses the normal route)'}`));
    if (p.server_reachable === false) out.push(`  The server ${p.server} does not answer: LAN traffic bypasses the proxy until it does.`);
    if (p.server_answers === false) {
      out.push(`  The server ${p.server} accepts connections but answers none through the proxy: check the ${p.engine === 'relay' ? 'key' : 'password and cipher'}`,
        "  (import the link 'mpwan server setup' prints). LAN traffic bypasses the proxy meanwhile.");
    }
    if (conns) out.push(`  Connections to the server: ${conns.mptcp} MPTCP, ${conns.tcp} plain TCP${conns.tcp > 0 ? ' (fell back: MPTCP is stripped on the way, or the server lacks it)' : ''}`);
    if (p.refused.count > 0) {
      out.push(`  LAN connections refused for want of ports, descriptors or memory: ${p.refused.count}${p.refused.last ? `, the last at ${time(p.refused.last)}` : ''}`);
    }
    out.push(...udpLines(p.udp));
  } else {
    out.push('', "Proxy: off (LAN clients are not aggregated; see 'mpwan server import')");
  }
  if (s.daemon.last_error) out.push(`  Last error: ${s.daemon.last_error}`);
  if (!s.in_sync) out.push('', 'Pending:', ...s.pending.map((p) => `  ${p}`));
  if (s.warnings.length > 0) out.push('', 'Warnings:', ...s.warnings.map((w) => `  ${w}`));
  return out.join('\n') + '\n';
}
