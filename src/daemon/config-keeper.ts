// The config the daemon runs with: the file when it validates, else the last one that did, so
// an invalid edit never undoes a working setup. Each problem is logged once.
import type { Runtime } from '../sys/runtime.js';
import type { Config } from '../model/config.js';
import type { DaemonState } from '../model/daemon-state.js';
import { MpwanError } from '../model/errors.js';
import { readConfigFile } from '../reconcile/config-file.js';
import { configFile } from '../sys/paths.js';

export class ConfigKeeper {
  /** The last config that validated. */
  config: Config | null = null;
  /** Why the file on disk does not validate (null: it does). */
  error: DaemonState['config_error'] = null;
  /** What the file has that is valid but probably not meant, as of the last read. */
  warnings: string[] = [];

  constructor(private readonly rt: Runtime) {}

  /** The file's config, or the last good one while the file is invalid (throws invalid_config when there is none). */
  async read(): Promise<Config> {
    const r = readConfigFile(this.rt);
    if (r.config) {
      if (this.error) await this.rt.log('notice', `${configFile(this.rt)} is valid again`);
      for (const w of r.warnings) await this.rt.log('warning', `config: ${w}`);
      this.error = null;
      this.warnings = r.warnings;
      return (this.config = r.config);
    }
    if (r.message !== this.error?.message) {
      await this.rt.log('err', `${r.message}\n${this.config ? 'the last valid configuration stays in force' : 'nothing is set up until it is fixed'}`);
    }
    this.error = { message: r.message, errors: r.errors };
    if (!this.config) throw new MpwanError('invalid_config', r.message, { errors: r.errors });
    return this.config;
  }
}
