// Reading /etc/config/mpwan: the file, validated, or every problem with its line.
import type { Runtime } from '../sys/runtime.js';
import type { Config, ConfigProblem } from '../model/config.js';
import { MpwanError } from '../model/errors.js';
import { validateConfig } from '../config/validate.js';
import { configFile } from '../sys/paths.js';

/** Every problem on one line each, as `file:line: option: reason`. */
export const formatProblems = (problems: ConfigProblem[]) =>
  problems.map((p) => `${p.file}:${p.line}: ${p.option ? p.option + ': ' : ''}${p.message}`);

/** Reads and validates the config; throws invalid_config listing every problem. */
export function loadConfig(rt: Runtime): Config {
  return loadConfigWithWarnings(rt).config;
}

/** The config file read and validated: the config with its warnings, or every problem (never throws). */
export type ConfigRead =
  | { config: Config; warnings: string[] }
  | { config: null; message: string; errors: ConfigProblem[] };

export function readConfigFile(rt: Runtime): ConfigRead {
  const file = configFile(rt);
  const text = rt.readFile(file);
  if (text === null) {
    return { config: null, message: `${file}: cannot read the config file`, errors: [{ file, line: 0, option: '', message: 'cannot read the config file' }] };
  }
  const result = validateConfig(text, file);
  if (!result.config) return { config: null, message: `invalid configuration:\n  ${formatProblems(result.errors).join('\n  ')}`, errors: result.errors };
  return { config: result.config, warnings: formatProblems(result.warnings) };
}

/** The config and what is valid in it but probably not what was meant (as `file:line: option: reason`); throws invalid_config. */
export function loadConfigWithWarnings(rt: Runtime): { config: Config; warnings: string[] } {
  const r = readConfigFile(rt);
  if (!r.config) throw new MpwanError('invalid_config', r.message, { errors: r.errors });
  return r;
}

/**
 * What `stop` plans with: the config with mpwan disabled, so every endpoint, rule and route it
 * owns goes. An unreadable or invalid config still stops: the defaults and owned.json (which
 * records the ranges in use) say what mpwan owns.
 */
export function stopConfig(config: Config | null): Config {
  const base = config ?? validateConfig('', 'defaults').config!;
  return { ...base, globals: { ...base.globals, enabled: false } };
}
