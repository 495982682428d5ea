// Changing /etc/config/mpwan from mpwan itself (ubus set_uplink): one option edited in place,
// the result validated and written atomically. Whoever applies it (the daemon, or the caller
// under the run dir's lock: writer/) puts the old file back if the apply fails.
import type { Runtime } from '../sys/runtime.js';
import type { UplinkMode } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { validateConfig } from '../config/validate.js';
import { setOption } from '../config/uci-edit.js';
import { configFile } from '../sys/paths.js';
import { loadConfig } from './config-file.js';

export interface UplinkEdit {
  changed: boolean;
  /** Puts the file back as it was before the edit. */
  undo(): void;
}

/** Sets `mode` of `uplink`; throws invalid_config or invalid_argument, changing nothing. */
export function editUplinkMode(rt: Runtime, uplink: string, mode: UplinkMode): UplinkEdit {
  const config = loadConfig(rt);
  if (!config.uplinks.some((u) => u.name === uplink)) {
    const have = config.uplinks.map((u) => u.name).join(', ') || 'none';
    throw new MpwanError('invalid_argument', `unknown uplink '${uplink}' (configured: ${have})`);
  }
  const file = configFile(rt);
  const before = rt.readFile(file) ?? '';
  const after = setOption(before, uplink, 'mode', mode);
  const check = validateConfig(after, file);
  if (!check.config) throw new MpwanError('internal', `editing ${file} produced an invalid config`, { errors: check.errors });
  const changed = after !== before;
  if (changed) rt.writeFileAtomic(file, after, 0o600);
  return { changed, undo: () => { if (changed) rt.writeFileAtomic(file, before, 0o600); } };
}
