// Where mpwan reads and writes. Both directories can be moved by environment variables so
// tests and staging roots never touch the real /etc or /var/run.
import type { Reader } from './runtime.js';

export const configDir = (rt: Reader) => rt.env('MPWAN_UCI_DIR') || '/etc/config';
export const configFile = (rt: Reader) => `${configDir(rt)}/mpwan`;
export const runDir = (rt: Reader) => rt.env('MPWAN_RUN_DIR') || '/var/run/mpwan';
