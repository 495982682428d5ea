// What the router's TCP settings mean for the relay's connections, for the status report:
// buffer limits against what the uplinks need, and the congestion control the relay asks for. Pure.
import type { Config, ProxyConfig } from '../model/config.js';
import type { RelayStats } from '../observe/relay-stats.js';
import { SERVER_SETUP_BUFFERS } from '../model/tcp-buffers.js';
import { checkBuffers, type BufferCheck, type BufferLimits } from './buffer-check.js';

/** The relay asks for a congestion control the kernel does not have (`have`: null, unreadable): its connections get the default. */
export function congestionWarning(p: ProxyConfig, have: string[] | null): string[] {
  if (!p.enabled || p.engine !== 'relay' || p.congestion === 'system' || !have || have.includes(p.congestion)) return [];
  const fix = p.congestion === 'bbr' ? 'install kmod-tcp-bbr' : 'load its module';
  return [`proxy.congestion: this kernel has no ${p.congestion} (it has ${have.join(', ')}): the relay's connections use the router's default; ${fix}, or set congestion 'system'`];
}

/** The configured rates of the uplinks that are in use, with their configured RTT or else the relay's measured one. */
export function bufferCheck(config: Config, relay: RelayStats | null, tcpLimits: BufferLimits | null): BufferCheck | null {
  const measured = (name: string) => relay?.udp.paths.find((p) => p.name === name && p.rtt_ms !== null)?.rtt_ms ?? 0;
  const uplinks = config.uplinks.filter((u) => u.mode !== 'off').map((u) => ({
    name: u.name, downMbit: u.rates.downMbit ?? 0, upMbit: u.rates.upMbit ?? 0, rttMs: u.rates.rttMs ?? measured(u.name),
  }));
  return checkBuffers(uplinks, tcpLimits, SERVER_SETUP_BUFFERS);
}
