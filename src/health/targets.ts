// What an uplink's health probes aim at, from its config and its current addresses. Pure.
import type { HealthConfig, ServerConfig } from '../model/config.js';
import { familyOf } from '../lib/inet.js';

export interface ProbeTarget {
  kind: 'icmp' | 'tcp';
  /** Address the probe leaves from: its `from` rule sends it out through the uplink. */
  source: string;
  host: string;
  port?: number;
}

/**
 * ICMP to each probe host (or, with none, to the server's address) and a TCP connect to the
 * server, each from the uplink's first address of the target's family. A target of a
 * family the uplink has no address in is skipped.
 */
export function probeTargets(health: HealthConfig, server: ServerConfig | undefined, sources: string[]): ProbeTarget[] {
  const from = (host: string) => sources.find((a) => familyOf(a) === familyOf(host));
  const serverIp = server && familyOf(server.host) !== null ? server.host : undefined;
  const hosts = health.hosts.length > 0 ? health.hosts : serverIp ? [serverIp] : [];
  const out: ProbeTarget[] = [];
  for (const host of hosts) {
    const source = from(host);
    if (source) out.push({ kind: 'icmp', source, host });
  }
  if (health.probeServer && server && serverIp) {
    const source = from(serverIp);
    if (source) out.push({ kind: 'tcp', source, host: serverIp, port: server.port });
  }
  return out;
}
