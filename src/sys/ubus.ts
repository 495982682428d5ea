// The one wrapper around the `ubus` CLI: netifd's interfaces (exactly one `network.interface
// dump` per run), and mpwan's own events.
import type { Runtime } from './runtime.js';
import type { NetifdInterface } from '../model/netifd.js';
import { MpwanError } from '../model/errors.js';
import { parseNetifdDump } from '../observe/netifd.js';

export async function readNetifd(rt: Runtime): Promise<NetifdInterface[]> {
  const r = await rt.exec(['ubus', 'call', 'network.interface', 'dump'], { timeoutMs: 10000 });
  if (r.status !== 0) {
    const why = r.status === 127 ? 'the ubus program was not found' : (r.stderr.trim() || `exit status ${r.status}`);
    throw new MpwanError('netifd_unavailable', `cannot read interfaces from netifd (ubus call network.interface dump: ${why})`);
  }
  try {
    return parseNetifdDump(r.stdout);
  } catch (e) {
    throw new MpwanError('netifd_unavailable', `ubus call network.interface dump: ${(e as Error).message}`);
  }
}

/** `ubus send <type> <data>`: ubusd passes the event to whoever listens. Returns why it failed, or null. */
export async function sendEvent(rt: Runtime, type: string, data: Record<string, unknown>): Promise<string | null> {
  const r = await rt.exec(['ubus', 'send', type, JSON.stringify(data)], { timeoutMs: 5000 });
  if (r.status === 0) return null;
  return r.status === 127 ? 'the ubus program was not found' : (r.stderr.trim() || `exit status ${r.status}`);
}
