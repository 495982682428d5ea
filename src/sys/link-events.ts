// Link changes as the kernel announces them: one long-running `ip -o monitor link`, so a lost
// carrier is seen at once rather than at the next read of sysfs.
import type { LineStream, Runtime } from './runtime.js';
import { linkEventDevice } from '../observe/link-events.js';

/** Calls `onDevice` with the name of each device that changed (carrier, state, deleted). */
export function startLinkEvents(rt: Runtime, onDevice: (dev: string) => void, onExit: (status: number) => void): LineStream {
  return rt.spawnLines(['ip', '-o', 'monitor', 'link'], (line) => {
    const dev = linkEventDevice(line);
    if (dev) onDevice(dev);
  }, onExit);
}
