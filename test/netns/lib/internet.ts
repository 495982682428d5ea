// What LAN clients and the router reach besides the proxy: a DNS resolver and a UDP echo on
// the "internet" host, dnsmasq on the router (the LAN's resolver, no cache, forwarding to
// that upstream), and UDP probes (lib/udp-probe.mjs) run inside a namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Topology } from './topology.js';
import { waitFor } from './wait.js';

const PROBE = new URL('./udp-probe.mjs', import.meta.url).pathname;
export const ECHO_PORT = 9000;
export const DNS_NAME = 'test.example';
export const DNS_ANSWER = '198.51.100.77';

const udpListening = (topo: Topology, ns: string, port: number) =>
  waitFor(`a UDP listener on port ${port} in ${ns}`, () => topo.exec(ns, ['ss', '-Hlun', `sport = :${port}`]).stdout.trim() !== '', 100);

/** The upstream resolver and a UDP echo (ECHO_PORT, and 443 for QUIC tests) on the destination host. */
export function startInternet(topo: Topology) {
  const dns = topo.spawn(topo.dst, ['dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', '--user=root',
    '--pid-file=', `--listen-address=${topo.destination}`, `--address=/${DNS_NAME}/${DNS_ANSWER}`]);
  const echoes = [ECHO_PORT, 443].map((port) => topo.spawn(topo.dst, ['socat', `UDP4-RECVFROM:${port},fork,reuseaddr`, 'PIPE']));
  udpListening(topo, topo.dst, 53);
  for (const port of [ECHO_PORT, 443]) udpListening(topo, topo.dst, port);
  return { stop: () => { for (const c of [dns, ...echoes]) try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ } } };
}

/** dnsmasq on the router's LAN address: no cache, so every query goes upstream. */
export function startRouterDns(topo: Topology) {
  const d = topo.spawn(topo.rtr, ['dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', '--user=root',
    '--pid-file=', '--cache-size=0', `--listen-address=${topo.lanRouter}`, `--server=${topo.destination}`]);
  udpListening(topo, topo.rtr, 53);
  return { stop: () => { try { process.kill(-d.pid!, 'SIGKILL'); } catch { /* gone */ } } };
}

export interface ProbeLine { ok: boolean; seq: number; ms: number; sentMs: number; detail: string }

export interface Probe {
  child: ChildProcess;
  /** The local port of an echo probe's one socket (its flow). */
  port(): number | null;
  /** Answers and errors so far, in arrival order. */
  lines(): ProbeLine[];
}

/** A UDP probe in namespace `ns` (see udp-probe.mjs for the modes), its output in `dir`. */
export function startProbe(topo: Topology, ns: string, dir: string, name: string, args: Record<string, string | number>): Probe {
  const out = join(dir, `probe-${name}.log`);
  const argv = [process.execPath, PROBE, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const child = topo.spawn(ns, argv, {}, out);
  const text = () => { try { return readFileSync(out, 'utf8'); } catch { return ''; } };
  return {
    child,
    port: () => Number(/^port (\d+)$/m.exec(text())?.[1]) || null,
    lines() {
      return text().split('\n').filter((l) => /^(ok|err) /.test(l)).map((l) => {
        const [kind, seq, ms, sent, ...rest] = l.split(' ');
        return { ok: kind === 'ok', seq: Number(seq), ms: Number(ms), sentMs: Number(sent), detail: rest.join(' ') };
      });
    },
  };
}

/**
 * Milliseconds from `cutAt` (epoch ms) until the first answer to a request sent after it; null
 * if none came. Answers to requests sent before the cut (queued on the link) do not count.
 */
export function backAfter(lines: ProbeLine[], cutAt: number): number | null {
  const first = lines.find((l) => l.ok && l.sentMs > cutAt);
  return first ? first.ms - cutAt : null;
}
