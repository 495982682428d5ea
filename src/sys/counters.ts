// What the kernel counted on an uplink's device (for quotas): bytes both ways and the
// device's ifindex (another one means the device was made anew and its counters restarted),
// the boot id (another one: everything restarted), and the local time zone's offset.
import type { Runtime } from './runtime.js';
import type { Reading } from '../quota/usage.js';

const DEVICE = /^[A-Za-z0-9_.:@-]{1,15}$/;

export function readCounters(rt: Runtime, dev: string): Reading | null {
  if (!DEVICE.test(dev) || dev === '.' || dev === '..') return null;
  const read = (what: string) => {
    const text = rt.readFile(`/sys/class/net/${dev}/${what}`);
    const n = text === null ? NaN : Number(text.trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  };
  const ifindex = read('ifindex'), rx = read('statistics/rx_bytes'), tx = read('statistics/tx_bytes');
  return ifindex === null || rx === null || tx === null ? null : { dev, ifindex, rx, tx };
}

/** The kernel's id of this boot (/proc/sys/kernel/random/boot_id). */
export function bootId(rt: Runtime): string {
  return (rt.readFile('/proc/sys/kernel/random/boot_id') ?? '').trim() || 'unknown';
}

/** Seconds east of UTC of the router's local time at an epoch second (musl reads OpenWrt's /etc/TZ). */
export function localOffset(epochS: number): number {
  return -new Date(epochS * 1000).getTimezoneOffset() * 60;
}
