// Where mpwan reads and writes. Both directories can be moved by environment variables so
// tests and staging roots never touch the real /etc or /var/run.
import type { Reader } from './runtime.js';

export const configDir = (rt: Reader) => rt.env('MPWAN_UCI_DIR') || '/etc/config';
export const configFile = (rt: Reader) => `${configDir(rt)}/mpwan`;
export const runDir = (rt: Reader) => rt.env('MPWAN_RUN_DIR') || '/var/run/mpwan';
/** What must survive a reboot (quota counts), written to flash at most once an hour. */
export const stateDir = (rt: Reader) => rt.env('MPWAN_STATE_DIR') || '/etc/mpwan';
