// Flows follow the default route: when an uplink misses a probe round or fails, the flows
// NATed to it move to the uplink that carries the default route now; and since when each
// family's default route uses its uplink, for status (and scripts: an event when it changes).
import type { Runtime } from '../sys/runtime.js';
import type { DaemonState } from '../model/daemon-state.js';
import type { Assessment } from '../reconcile/assess.js';
import { deleteNatFlows } from '../sys/conntrack.js';
import { familyOf } from '../lib/inet.js';
import type { MpwanEvent } from '../events/events.js';

export class DefaultRouteFollower {
  /** Uplinks failed, and suspect, at the last re-plan: a newly failed or suspect one's NATed flows move. */
  private failed = new Set<string>();
  private suspect = new Set<string>();
  state: DaemonState['default_route'] = [];

  constructor(private readonly rt: Runtime, private readonly publish: (e: MpwanEvent) => void) {}

  /**
   * Flows NATed to an uplink that failed keep its address in conntrack: after the default route
   * moved they would leave by another uplink with that address and be dropped. Their entries
   * go, so the next packet is NATed anew by the uplink that carries them now. At the first
   * missed probe round only UDP and ICMP move (calls and QUIC live through a new address, a TCP
   * connection would not); when the uplink is down, everything does. Flows on healthy uplinks
   * are never touched. Also notes since when each family's default route uses its uplink.
   */
  async follow(a: Assessment, suspects: string[]) {
    const failed = new Set(a.desired.uplinks.filter((u) => u.state === 'failed').map((u) => u.name));
    const suspect = new Set(suspects);
    // Without mpwan's default route (option off, or mwan3's), moving flows would not change their uplink.
    const following = a.desired.defaultRoutes.some((d) => d.uplink !== null);
    for (const u of following ? a.desired.uplinks : []) {
      const wholly = failed.has(u.name) && !this.failed.has(u.name);
      const datagrams = suspect.has(u.name) && !this.suspect.has(u.name) && !this.failed.has(u.name);
      if (wholly || datagrams) await this.moveFlows(u.name, u.sources, wholly);
    }
    [this.failed, this.suspect] = [failed, suspect];
    const now = this.rt.nowSeconds();
    this.state = a.desired.defaultRoutes.map((d) => {
      const before = this.state.find((x) => x.family === d.family);
      if (before?.uplink === d.uplink) return { ...before, reason: d.reason };
      if (before && d.uplink) void this.rt.log('notice', `IPv${d.family} traffic without a more specific route now leaves by ${d.uplink}`);
      const device = a.desired.uplinks.find((u) => u.name === d.uplink)?.dev ?? null;
      this.publish({ type: 'mpwan.default_route', family: d.family, uplink: d.uplink, device, why: d.reason });
      return { family: d.family, uplink: d.uplink, since: now, reason: d.reason };
    });
  }

  private async moveFlows(uplink: string, sources: string[], all: boolean) {
    for (const address of sources) {
      const protocols = all ? [undefined] : (['udp', familyOf(address) === 6 ? 'icmpv6' : 'icmp'] as const);
      let moved = 0;
      for (const p of protocols) {
        const r = await deleteNatFlows(this.rt, address, p);
        if ('unavailable' in r) { await this.rt.log('warning', `uplink ${uplink}: flows NATed to ${address} cannot be moved: ${r.unavailable}`); return; }
        moved += r.deleted;
      }
      if (moved > 0) await this.rt.log('notice', `uplink ${uplink}: ${moved} ${all ? '' : 'UDP/ICMP '}flow(s) NATed to ${address} move to the uplink that carries the default route`);
    }
  }
}
