// The one wrapper around OpenWrt's hotplug-call (package base-files): `hotplug-call <type>`
// sources every /etc/hotplug.d/<type>/* in a subshell, in order, with the caller's
// environment (netifd runs `hotplug-call iface` the same way, and mwan3track too).
import type { Runtime } from './runtime.js';
import { SIGKILL } from './runtime.js';

/**
 * Runs `hotplug-call <type>` with `env` added; resolves with its exit status (127: not
 * installed) once it has exited, or killed after `timeoutMs`. Its output goes to /dev/null,
 * so a script that leaves a process behind holds nothing of ours.
 */
export async function runHotplug(rt: Runtime, type: string, env: Record<string, string>, timeoutMs: number): Promise<number> {
  let pid: number;
  try {
    // Found through PATH: /sbin on OpenWrt (procd's PATH has it).
    pid = rt.spawn(['hotplug-call', type], { env });
  } catch {
    return 127;
  }
  const start = rt.monotonicMs();
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const status = rt.reap(pid);
    if (status !== null) return status;
    if (rt.monotonicMs() - start >= timeoutMs) {
      rt.kill(pid, SIGKILL);
      return rt.reap(pid) ?? -SIGKILL;
    }
    await rt.sleep(wait);
  }
}
