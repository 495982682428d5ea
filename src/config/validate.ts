// /etc/config/mpwan -> typed Config. Validation is data (as in fw4): one option-spec table
// per section type, small parse functions that return null on bad input, and a few range
// rules. Every problem is collected with file, line, option path and reason; config is
// null if there is any. Pure.
import type { Config, ConfigResult, Globals, ProxyConfig, QuotaConfig, SysctlName, UplinkConfig } from '../model/config.js';
import { parseUci } from './uci-read.js';
import { sectionLabel, type UciSection } from './uci-syntax.js';
import { GLOBALS, PROXY, SECTION_TYPES, SYSCTL_OF, UPLINK, UPLINK_HINTS, type Values } from './options.js';
import { MAX_UPLINKS, rulePrefProblems, tableBaseProblems } from './ranges.js';
import { configWarnings } from './warnings.js';
import { Collector, defaults, parseOptions, single, suggest } from './parse-options.js';
import { checkSecrets, parseServers, serverSecret } from './servers.js';

/** Seconds between a metered uplink's probe rounds when its section sets no probe_interval. */
export const METERED_PROBE_INTERVAL = 5;

// ---- section parsers ----

function parseGlobals(c: Collector, sections: UciSection[]): Globals {
  const s = single(c, sections, 'globals');
  const v = s ? parseOptions(c, s, GLOBALS) : defaults(GLOBALS);
  if (s && s.name !== undefined && s.name !== 'globals') {
    c.error(s.line, sectionLabel(s), "the globals section must be named 'globals' (config globals 'globals')");
  }
  // Defaults pass these rules, so a problem always has an option line to point at.
  const at = (opt: string) => [s?.options.get(opt)?.line ?? 0, `${s ? sectionLabel(s) : 'globals'}.${opt}`] as const;
  for (const problem of tableBaseProblems(v.table_base)) c.error(...at('table_base'), problem);
  const prefProblem = rulePrefProblems(v.rule_pref);
  if (prefProblem) c.error(...at('rule_pref'), prefProblem);

  const sysctls: Partial<Record<SysctlName, string>> = {};
  for (const [opt, sysctl] of Object.entries(SYSCTL_OF)) {
    const value = v[opt as keyof typeof SYSCTL_OF];
    if (value !== undefined) sysctls[sysctl] = value;
  }
  return {
    enabled: v.enabled,
    health: {
      hosts: v.probe_host, probeServer: v.probe_server, interval: v.probe_interval, timeout: v.probe_timeout,
      downAfter: v.down_after, upAfter: v.up_after, onDown: v.on_down,
    },
    sysctls,
    tableBase: v.table_base,
    rulePref: v.rule_pref,
    subflowsMin: v.subflows,
    addAddrAcceptedMin: v.add_addr_accepted,
    looseRpFilter: v.rp_filter_loose,
    defaultRoute: v.default_route,
  };
}

/** Uplink n (file order, counting every uplink section) gets table table_base + n. */
function parseUplinks(c: Collector, sections: UciSection[], g: Globals): UplinkConfig[] {
  const all = sections.filter((s) => s.type === 'uplink');
  if (all.length > MAX_UPLINKS) {
    const first = all[MAX_UPLINKS];
    c.error(first.line, sectionLabel(first), `too many uplinks: at most ${MAX_UPLINKS} (this is number ${MAX_UPLINKS + 1} of ${all.length})`);
  }
  const uplinks: UplinkConfig[] = [];
  all.forEach((s, n) => {
    const v = parseOptions(c, s, UPLINK, UPLINK_HINTS);
    if (s.name === undefined) {
      c.error(s.line, sectionLabel(s), "an uplink section must be named after its netifd interface (config uplink 'wan')");
      return;
    }
    if (s.name.length > 64) c.error(s.line, s.name, `interface name is ${s.name.length} characters long: at most 64`);
    const d = g.health;
    const health = {
      // Probes cost a metered uplink data: it is probed no more often than every METERED_PROBE_INTERVAL s unless it says otherwise.
      hosts: v.probe_host ?? d.hosts, probeServer: v.probe_server ?? d.probeServer,
      interval: v.probe_interval ?? (v.metered ? Math.max(d.interval, METERED_PROBE_INTERVAL) : d.interval),
      timeout: v.probe_timeout ?? d.timeout, downAfter: v.down_after ?? d.downAfter, upAfter: v.up_after ?? d.upAfter, onDown: v.on_down ?? d.onDown,
    };
    uplinks.push({
      name: s.name, mode: v.mode ?? (v.metered ? 'backup' : 'on'), priority: v.priority, table: g.tableBase + n, ula: v.ula, fullmesh: v.fullmesh,
      health, metered: v.metered, quota: parseQuota(c, s, v),
      rates: { ...(v.download ? { downMbit: v.download } : {}), ...(v.upload ? { upMbit: v.upload } : {}), ...(v.rtt ? { rttMs: v.rtt } : {}) }, line: s.line,
    });
  });
  return uplinks;
}

/** A quota is for a metered uplink; the period options mean something only with one. */
function parseQuota(c: Collector, s: UciSection, v: Values<typeof UPLINK>): QuotaConfig | null {
  const at = (opt: string) => [s.options.get(opt)?.line ?? s.line, `${sectionLabel(s)}.${opt}`] as const;
  if (v.quota === undefined) {
    for (const opt of ['quota_period', 'quota_reset_day', 'quota_action'].filter((o) => s.options.has(o))) c.warn(...at(opt), 'has no effect without option quota');
    return null;
  }
  if (!v.metered) c.error(...at('quota'), "is counted on metered uplinks only: add option metered '1'");
  if (v.quota_period === 'day' && s.options.has('quota_reset_day')) c.warn(...at('quota_reset_day'), "has no effect with quota_period 'day' (the count starts again at every midnight)");
  return { bytes: v.quota, period: v.quota_period, resetDay: v.quota_reset_day, action: v.quota_action };
}

/** `secret`: what the enabled server section has (its engine follows when the proxy names none). */
function parseProxy(c: Collector, sections: UciSection[], secret: 'key' | 'password' | null): ProxyConfig {
  const s = single(c, sections, 'proxy');
  const v = s ? parseOptions(c, s, PROXY) : { ...defaults(PROXY), enabled: false };
  const engine = v.engine ?? (secret === 'password' ? 'shadowsocks-rust' : 'relay');
  if (s && v.udp === 'server' && engine !== 'relay') {
    c.error(s.options.get('udp')?.line ?? s.line, `${sectionLabel(s)}.udp`, `'server' needs the relay engine: ${engine} carries TCP only (set udp 'direct', or engine 'relay')`);
  }
  const udp = v.udp ?? (engine === 'relay' ? 'server' : 'direct');
  return {
    enabled: v.enabled, engine, port: v.port, lan: v.lan, bypass: v.bypass, threads: v.threads, checkInterval: v.check_interval, quic: v.quic,
    udp, duplicate: v.duplicate, congestion: v.congestion, holdDown: v.hold_down, line: s?.line ?? 0,
  };
}

export function validateConfig(text: string, file: string): ConfigResult {
  const c = new Collector(file);
  const { sections, errors, warnings } = parseUci(text);
  for (const e of errors) c.error(e.line, '', e.message);
  for (const w of warnings) c.warn(w.line, '', w.message);
  for (const s of sections) {
    if (!SECTION_TYPES.includes(s.type)) c.error(s.line, sectionLabel(s), `unknown section type '${s.type}'${suggest(s.type, SECTION_TYPES)}`);
  }
  const globals = parseGlobals(c, sections);
  const uplinks = parseUplinks(c, sections, globals);
  const { servers, anyEnabled } = parseServers(c, sections);
  const proxy = parseProxy(c, sections, serverSecret(sections));
  const proxyLine = sections.find((x) => x.type === 'proxy')?.line ?? 0;
  if (proxy.enabled && !anyEnabled) {
    c.error(proxyLine, 'proxy', "the proxy needs an enabled 'config server' section (mpwan server import '<the link mpwan server setup printed>')");
  }
  if (proxy.enabled) checkSecrets(c, servers, proxy.engine);
  const config: Config = { globals, proxy, uplinks, servers };
  // Advice about a config that will not be used would only distract from its errors.
  if (c.errors.length === 0) for (const w of configWarnings(config)) c.warn(w.line, w.option, w.message);
  c.errors.sort((a, b) => a.line - b.line);
  c.warnings.sort((a, b) => a.line - b.line);
  return { config: c.errors.length === 0 ? config : null, errors: c.errors, warnings: c.warnings };
}
