// `diagnose`: per-uplink checks, each with a pass/fail/warn/skip and one human sentence.
import type { Runtime } from '../sys/runtime.js';
import type { Assessment } from '../reconcile/assess.js';
import type { UplinkPlan } from '../model/plan.js';
import { assess } from '../reconcile/assess.js';
import { readSystem } from '../reconcile/read-system.js';
import { mptcpHandshake, ping } from '../sys/probe.js';
import { MpwanError } from '../model/errors.js';
import { hostPort } from '../lib/inet.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';
export interface Check { check: string; status: CheckStatus; message: string; latency_ms?: number }
export interface UplinkDiagnosis { uplink: string; checks: Check[] }

const STATE_SENTENCES: Record<string, (u: UplinkPlan) => Check> = {
  disabled: (u) => ({ check: 'netifd', status: 'skip', message: `${u.name} has mode 'off': not used by mpwan` }),
  unknown: (u) => ({ check: 'netifd', status: 'fail', message: `netifd has no interface '${u.name}': the uplink section must be named after a netifd interface (ubus list 'network.interface.*')` }),
  down: (u) => ({ check: 'netifd', status: 'fail', message: `netifd reports ${u.name} down (no link, no lease, or ifdown)` }),
};

/** Static checks: what netifd says and whether the kernel has what the plan wants. */
function staticChecks(snap: Assessment, u: UplinkPlan): Check[] {
  const special = STATE_SENTENCES[u.state];
  if (special) return [special(u)];
  const checks: Check[] = [{ check: 'netifd', status: 'pass', message: `${u.name} is up on ${u.dev}` }];
  if (u.addresses.length === 0) {
    const why = u.skipped.map((s) => `${s.address}: ${s.reason}`).join('; ') || 'no address';
    checks.push({ check: 'address', status: 'fail', message: `${u.name} has no address mpwan can use (${why})` });
    return checks;
  }
  checks.push({ check: 'address', status: 'pass', message: `usable address${u.addresses.length > 1 ? 'es' : ''} ${u.addresses.join(', ')}` });
  for (const s of u.skipped) checks.push({ check: 'address', status: 'warn', message: `${s.address} is not used: ${s.reason}` });

  const routes = snap.desired.routes.filter((r) => r.table === u.table);
  for (const r of routes) {
    const have = snap.observed.routes.some((o) => o.table === r.table && o.dst === r.dst && o.dev === r.dev && o.gateway === r.gateway);
    const what = `IPv${r.family} default route ${r.gateway ? `via ${r.gateway} ` : ''}dev ${r.dev} in table ${r.table}`;
    checks.push(have
      ? { check: 'route', status: 'pass', message: `${what} is present` }
      : { check: 'route', status: 'fail', message: `${what} is missing: run 'mpwan apply'` });
  }
  for (const a of u.addresses) {
    const rule = snap.observed.rules.some((r) => r.src === a && r.pref === snap.desired.rulePref && r.table === String(u.table));
    checks.push(rule
      ? { check: 'rule', status: 'pass', message: `traffic from ${a} uses table ${u.table}` }
      : { check: 'rule', status: 'fail', message: `the rule 'from ${a} lookup ${u.table}' is missing: run 'mpwan apply'` });
    const ep = snap.observed.endpoints.find((e) => e.address === a);
    const want = snap.desired.endpoints.find((e) => e.address === a)!;
    if (!ep) checks.push({ check: 'endpoint', status: 'fail', message: `no MPTCP endpoint for ${a}: run 'mpwan apply'` });
    else if (ep.dev !== want.dev || ep.backup !== want.backup) checks.push({ check: 'endpoint', status: 'fail', message: `endpoint #${ep.id} for ${a} differs from the plan: run 'mpwan apply'` });
    else checks.push({ check: 'endpoint', status: 'pass', message: `endpoint #${ep.id} ${a} dev ${ep.dev} ${ep.backup ? 'subflow backup' : 'subflow'}` });
  }
  return checks;
}

async function activeChecks(rt: Runtime, snap: Assessment, u: UplinkPlan): Promise<Check[]> {
  const checks: Check[] = [];
  for (const r of snap.desired.routes.filter((x) => x.table === u.table)) {
    const source = u.addresses.find((a) => (r.family === 6) === a.includes(':'));
    if (!source || !r.gateway || r.gateway.startsWith('fe80:')) continue;
    const p = await ping(rt, source, r.gateway);
    checks.push(p.ok
      ? { check: 'gateway', status: 'pass', message: `gateway ${r.gateway} answers in ${p.ms} ms`, latency_ms: p.ms! }
      : p.missing ? { check: 'gateway', status: 'skip', message: `gateway ${r.gateway} not tested: ${p.error}` }
      : { check: 'gateway', status: 'warn', message: `gateway ${r.gateway} does not answer pings from ${source} (${p.error}); some ISPs drop them` });
  }
  const server = snap.config.servers.find((s) => s.enabled);
  if (!server) {
    checks.push({ check: 'mptcp', status: 'skip', message: "no aggregation server is configured (config server), so the MPTCP handshake was not tested" });
    return checks;
  }
  for (const source of u.addresses) {
    const v6 = source.includes(':');
    if (v6 !== server.host.includes(':') && /^[\d.:a-f]+$/i.test(server.host)) continue;
    const t0 = rt.monotonicMs();
    const h = await mptcpHandshake(rt, source, server.host, server.port);
    const ms = Math.round((rt.monotonicMs() - t0) * 10) / 10;
    const to = `${hostPort(server.host, server.port)} from ${source}`;
    switch (h.result) {
      case 'mptcp': checks.push({ check: 'mptcp', status: 'pass', message: `MPTCP handshake with ${to} succeeded`, latency_ms: ms }); break;
      case 'fallback': checks.push({ check: 'mptcp', status: 'fail', message: `the connection to ${to} fell back to plain TCP: something on this uplink (often the ISP) strips MPTCP options` }); break;
      case 'inconclusive': checks.push({ check: 'mptcp', status: 'warn', message: `connected to ${to}, but other connections at the same moment hide whether it was MPTCP; try again` }); break;
      case 'failed': checks.push({ check: 'mptcp', status: 'fail', message: `cannot connect to ${to}: ${h.error}` }); break;
      case 'unavailable': checks.push({ check: 'mptcp', status: 'skip', message: h.error }); break;
    }
  }
  return checks;
}

export async function diagnose(rt: Runtime, uplink?: string): Promise<{ uplinks: UplinkDiagnosis[] }> {
  const snap = assess(await readSystem(rt));
  const chosen = snap.desired.uplinks.filter((u) => uplink === undefined || u.name === uplink);
  if (uplink !== undefined && chosen.length === 0) {
    throw new MpwanError('invalid_argument', `unknown uplink '${uplink}' (configured: ${snap.desired.uplinks.map((u) => u.name).join(', ') || 'none'})`);
  }
  const out: UplinkDiagnosis[] = [];
  for (const u of chosen) {
    const checks = staticChecks(snap, u);
    if (u.state === 'active') checks.push(...(await activeChecks(rt, snap, u)));
    out.push({ uplink: u.name, checks });
  }
  return { uplinks: out };
}
