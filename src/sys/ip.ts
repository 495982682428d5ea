// The one wrapper around iproute2's `ip`. Reads go through the pure parsers in observe/.
import type { Runtime } from './runtime.js';
import type { Family, KernelAddress, KernelLink, Limits, ObservedEndpoint, ObservedRoute, ObservedRule } from '../model/kernel.js';
import { CommandError, MpwanError } from '../model/errors.js';
import { parseAddrShow, parseEndpoints, parseLimits, parseRoutes, parseRules } from '../observe/kernel.js';

const NO_MPTCP = /Object "mptcp" is unknown|unknown.*mptcp|Option "-j" is unknown/i;

/** Runs `ip ARGS`; returns stdout or throws a CommandError that names the fix when it can. */
export async function runIp(rt: Runtime, args: string[]): Promise<string> {
  const r = await rt.exec(['ip', ...args], { timeoutMs: 10000 });
  if (r.status === 0) return r.stdout;
  if (r.status === 127) {
    throw new MpwanError('kernel_unsupported', "the 'ip' program was not found: install ip-full (opkg install ip-full, or apk add ip-full)");
  }
  if (args.includes('mptcp') && NO_MPTCP.test(r.stderr)) {
    throw new MpwanError('kernel_unsupported', "this 'ip' has no MPTCP support (BusyBox ip or ip-tiny): install ip-full (opkg install ip-full, or apk add ip-full)");
  }
  throw new CommandError(r.argv, r.status, r.stderr);
}

function parsed<T>(argv: string[], text: string, parse: (t: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    throw new MpwanError('command_failed', `ip ${argv.join(' ')}: unexpected output (${(e as Error).message})`);
  }
}

export async function readAddresses(rt: Runtime): Promise<{ links: KernelLink[]; addresses: KernelAddress[] }> {
  const args = ['-j', 'addr', 'show'];
  return parsed(args, await runIp(rt, args), parseAddrShow);
}

export async function readEndpoints(rt: Runtime): Promise<ObservedEndpoint[]> {
  const args = ['-j', 'mptcp', 'endpoint', 'show'];
  return parsed(args, await runIp(rt, args), parseEndpoints);
}

export async function readLimits(rt: Runtime): Promise<Limits> {
  const args = ['mptcp', 'limits', 'show'];
  return parsed(args, await runIp(rt, args), parseLimits);
}

export async function readRules(rt: Runtime, family: Family): Promise<ObservedRule[]> {
  const args = ['-j', family === 4 ? '-4' : '-6', 'rule', 'show'];
  return parsed(args, await runIp(rt, args), (t) => parseRules(t, family));
}

/** Routes of every table, both families, in one call (`table all` is family-agnostic). */
export async function readRoutes(rt: Runtime, owned: (table: number) => boolean): Promise<ObservedRoute[]> {
  const args = ['-j', 'route', 'show', 'table', 'all'];
  return parsed(args, await runIp(rt, args), (t) => parseRoutes(t, owned));
}
