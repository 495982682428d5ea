// The one wrapper around the `ubus` CLI. Exactly one `network.interface dump` per run.
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
