// What an uplink's health probes aim at, from its config, the servers and its current
// addresses. Pure.
import type { HealthConfig, ServerConfig } from '../model/config.js';
import { familyOf } from '../lib/inet.js';

export interface ProbeTarget {
  kind: 'icmp' | 'tcp';
  /** Address the probe leaves from: its `from` rule sends it out through the uplink. */
  source: string;
  host: string;
  port?: number;
  /** TCP to a relay server: its key file, for the signed handshake that tells a wrong key. */
  keyFile?: string;
}

/**
 * ICMP to each probe host and to every server's address (only the servers when no probe host
 * is set, and no server with probe_server '0'), and a TCP connect to each server, each from
 * the uplink's first address of the target's family; every uplink answering for every server
 * is what tells a dead server from a dead uplink. A target of a family the uplink has no
 * address in is skipped; a server named by a host name is not probed.
 */
export function probeTargets(health: HealthConfig, servers: ServerConfig[], sources: string[], keyFile: (s: ServerConfig) => string | null = () => null): ProbeTarget[] {
  const from = (host: string) => sources.find((a) => familyOf(a) === familyOf(host));
  const probed = health.probeServer || health.hosts.length === 0 ? servers.filter((s) => familyOf(s.host) !== null) : [];
  const hosts = [...new Set([...health.hosts, ...probed.map((s) => s.host)])];
  const out: ProbeTarget[] = [];
  for (const host of hosts) {
    const source = from(host);
    if (source) out.push({ kind: 'icmp', source, host });
  }
  if (!health.probeServer) return out;
  for (const s of probed) {
    const source = from(s.host);
    const key = keyFile(s);
    if (source && !out.some((t) => t.kind === 'tcp' && t.host === s.host && t.port === s.port)) out.push({ kind: 'tcp', source, host: s.host, port: s.port, ...(key ? { keyFile: key } : {}) });
  }
  return out;
}
