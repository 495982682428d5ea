// Warnings: settings that are valid but probably do not do what was meant. Pure.
import type { Config } from '../model/config.js';
import { familyOf } from '../lib/inet.js';
import { show } from './uci-syntax.js';

export interface Warning {
  line: number;
  option: string;
  message: string;
}

/**
 * An uplink with nothing to probe (health/targets.ts: no probe_host, and no server address to
 * ping or connect to) is never checked: only a lost carrier takes it down.
 */
function unprobed(config: Config): Warning[] {
  if (!config.globals.enabled) return [];
  const servers = config.servers.filter((s) => s.enabled);
  if (servers.some((s) => familyOf(s.host) !== null)) return [];
  const why = servers.length === 1 ? `the server's host ${show(servers[0].host)} is a name, not an address`
    : servers.length > 1 ? "the servers' hosts are names, not addresses" : 'there is no server to ping';
  return config.uplinks
    .filter((u) => u.mode !== 'off' && u.health.hosts.length === 0)
    .map((u) => ({
      line: u.line,
      option: u.name,
      message: `no health probes: probe_host is empty and ${why}, so only a lost carrier takes this uplink down (set probe_host)`,
    }));
}

/** Duplication happens in the relay, on the way to the server: without it there is nothing to duplicate. */
function duplicateWithoutServer(config: Config): Warning[] {
  const p = config.proxy;
  if (!p.enabled || p.duplicate.length === 0 || p.udp === 'server') return [];
  return [{ line: p.line, option: 'proxy.duplicate', message: "has no effect with udp 'direct': only UDP sent through the server is duplicated" }];
}

export function configWarnings(config: Config): Warning[] {
  return [...unprobed(config), ...duplicateWithoutServer(config)];
}
