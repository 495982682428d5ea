// /proc and /sys: MPTCP sysctls, capabilities, counters and per-device byte counters.
import type { Reader, Runtime } from './runtime.js';
import { MpwanError } from '../model/errors.js';
import { parseNetstat } from '../observe/kernel.js';
import { limitOf } from '../plan/tcp-buffers.js';

export const MPTCP_SYSCTL_DIR = '/proc/sys/net/mptcp';

export interface MptcpCaps {
  sysctls: string[];
  schedulers: string[];
  pathManagers: string[];
}

const words = (s: string | null) => (s ?? '').trim().split(/\s+/).filter(Boolean);

/** Throws kernel_unsupported, naming the fix, when the kernel has no usable MPTCP. */
export function readMptcpCaps(rt: Runtime): MptcpCaps {
  const enabled = rt.readFile(`${MPTCP_SYSCTL_DIR}/enabled`);
  if (enabled === null) {
    throw new MpwanError('kernel_unsupported',
      'the kernel has no MPTCP (/proc/sys/net/mptcp/enabled is missing): use a kernel built with CONFIG_MPTCP (OpenWrt: KERNEL_MPTCP, the default on most targets since 24.10)');
  }
  if (enabled.trim() !== '1') {
    throw new MpwanError('kernel_unsupported', 'MPTCP is disabled in the kernel: run sysctl -w net.mptcp.enabled=1');
  }
  return {
    sysctls: rt.listDir(MPTCP_SYSCTL_DIR) ?? [],
    schedulers: words(rt.readFile(`${MPTCP_SYSCTL_DIR}/available_schedulers`)),
    pathManagers: words(rt.readFile(`${MPTCP_SYSCTL_DIR}/available_path_managers`)),
  };
}

/** Current values of the given sysctl files that exist. */
export function readSysctls(rt: Runtime, paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    const v = rt.readFile(p);
    if (v !== null) out[p] = v.trim().replace(/\s+/g, ' '); // tcp_rmem's fields are tab-separated
  }
  return out;
}

export function readMptcpCounters(rt: Reader): Record<string, number> {
  return parseNetstat(rt.readFile('/proc/net/netstat') ?? '');
}

/** The largest TCP receive and send buffers autotuning may reach (tcp_rmem[2], tcp_wmem[2]); null if unreadable. */
export function readTcpLimits(rt: Reader): { rmem: number; wmem: number } | null {
  const rmem = limitOf(rt.readFile('/proc/sys/net/ipv4/tcp_rmem')), wmem = limitOf(rt.readFile('/proc/sys/net/ipv4/tcp_wmem'));
  return rmem === null || wmem === null ? null : { rmem, wmem };
}

/** The congestion controls the kernel has now (loaded modules); null: unreadable. */
export function readCongestionControls(rt: Reader): string[] | null {
  const text = rt.readFile('/proc/sys/net/ipv4/tcp_available_congestion_control');
  return text === null ? null : text.trim().split(/\s+/).filter(Boolean);
}

export function readLinkBytes(rt: Reader, dev: string): { rx: number; tx: number } | null {
  const read = (what: string) => rt.readFile(`/sys/class/net/${dev}/statistics/${what}_bytes`);
  const rx = read('rx'), tx = read('tx');
  return rx === null || tx === null ? null : { rx: Number(rx.trim()), tx: Number(tx.trim()) };
}

/** Online CPUs, from /sys/devices/system/cpu/online ("0-3", "0,2-3"). */
export function cpuCount(rt: Runtime): number {
  const text = (rt.readFile('/sys/devices/system/cpu/online') ?? '0').trim();
  let n = 0;
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a + 1;
  }
  return Math.max(1, n || 1);
}

/** Whether a device reports carrier; false when it is down, gone or the name is not a device name. */
export function readCarrier(rt: Runtime, dev: string): boolean {
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(dev) || dev === '.' || dev === '..') return false;
  // Reading `carrier` of an administratively down device fails (EINVAL): no carrier.
  return (rt.readFile(`/sys/class/net/${dev}/carrier`) ?? '0').trim() === '1';
}

/** Milliseconds since boot (/proc/uptime), a clock that two processes share. */
export function uptimeMs(rt: Reader): number {
  return Math.round(Number((rt.readFile('/proc/uptime') ?? '0').split(' ')[0]) * 1000);
}

/** This process's pid, as /proc says it. */
export function ownPid(rt: Runtime): number {
  return Number((rt.readFile('/proc/self/stat') ?? '0').split(' ')[0]);
}
