// The files a running relay reads again on SIGHUP: its ways to the server for LAN UDP (the
// paths file). Each is written only when its text changed, and scripts hear when the uplinks
// for LAN UDP change.
import type { Runtime } from '../sys/runtime.js';
import type { Desired } from '../model/plan.js';
import type { MpwanEvent } from '../events/events.js';
import { runPath } from '../sys/run-dir.js';

export class RelayFiles {
  /** The relay's uplinks for LAN UDP, best first, as scripts were last told. */
  private udpUplinks: string | null = null;

  constructor(private readonly rt: Runtime, private readonly publish: (e: MpwanEvent) => void) {}

  /** The relay's ways to the server, best first (`<uplink> <source address>` lines); whether the file changed. */
  paths(paths: Desired['udpPaths']): boolean {
    const uplinks = [...new Set(paths.map((p) => p.uplink))];
    if (uplinks.join(' ') !== this.udpUplinks) {
      this.udpUplinks = uplinks.join(' ');
      this.publish({ type: 'mpwan.udp', uplink: uplinks[0] ?? null, paths: uplinks });
    }
    const text = paths.map((p) => `${p.uplink} ${p.source}\n`).join('');
    const file = runPath.engine(this.rt).paths;
    if (this.rt.readFile(file) === text) return false;
    this.rt.writeFileAtomic(file, text, 0o644);
    return true;
  }
}
