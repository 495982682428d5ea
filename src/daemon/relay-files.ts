// The files a running relay reads again on SIGHUP: the server new traffic goes to (the server
// file, naming the file with its key) and its ways to the server for LAN UDP (the paths file).
// Each is written only when its text changed, and scripts hear when the uplinks for LAN UDP change.
import type { Runtime } from '../sys/runtime.js';
import type { Desired } from '../model/plan.js';
import type { ServerConfig } from '../model/config.js';
import type { MpwanEvent } from '../events/events.js';
import { runPath, writeServerKey } from '../sys/run-dir.js';
import { relayServerLine } from '../proxy/launch.js';
import { MpwanError } from '../model/errors.js';

export class RelayFiles {
  /** The relay's uplinks for LAN UDP, best first, as scripts were last told. */
  private udpUplinks: string | null = null;

  constructor(private readonly rt: Runtime, private readonly publish: (e: MpwanEvent) => void) {}

  /** The server file (and the server's key file); whether the server file changed. */
  server(server: ServerConfig): boolean {
    const key = server.key ? writeServerKey(this.rt, server.name, server.key) : null;
    if (!key) throw new MpwanError('invalid_config', `server ${server.name}: the relay needs its key`);
    return this.write(runPath.engine(this.rt).server, relayServerLine(server, key));
  }

  /** The relay's ways to the server, best first (`<uplink> <source address> [metered]` lines); whether the file changed. */
  paths(paths: Desired['udpPaths']): boolean {
    const uplinks = [...new Set(paths.map((p) => p.uplink))];
    if (uplinks.join(' ') !== this.udpUplinks) {
      this.udpUplinks = uplinks.join(' ');
      this.publish({ type: 'mpwan.udp', uplink: uplinks[0] ?? null, paths: uplinks });
    }
    return this.write(runPath.engine(this.rt).paths, paths.map((p) => `${p.uplink} ${p.source}${p.metered ? ' metered' : ''}\n`).join(''));
  }

  private write(file: string, text: string): boolean {
    if (this.rt.readFile(file) === text) return false;
    this.rt.writeFileAtomic(file, text, 0o644);
    return true;
  }
}
