// The one wrapper around `nft`. Rulesets go in on stdin as one transaction, checked first.
import type { Runtime } from './runtime.js';
import { CommandError, MpwanError } from '../model/errors.js';
import { renderNftRemoval } from '../proxy/nft.js';

async function nftLoad(rt: Runtime, text: string, check: boolean): Promise<void> {
  const argv = ['nft', ...(check ? ['-c'] : []), '-f', '-'];
  const r = await rt.exec(argv, { input: text, timeoutMs: 10000 });
  if (r.status === 127) throw new MpwanError('kernel_unsupported', "the 'nft' program was not found: install nftables (opkg install nftables)");
  if (r.status !== 0) throw new CommandError(r.argv, r.status, r.stderr);
}

/** Replaces table inet mpwan atomically (after `nft -c` accepts the same text). */
export async function applyNft(rt: Runtime, text: string): Promise<void> {
  await nftLoad(rt, text, true);
  await nftLoad(rt, text, false);
}

export async function removeNft(rt: Runtime): Promise<void> {
  await nftLoad(rt, renderNftRemoval(), false);
}

export async function nftTableExists(rt: Runtime): Promise<boolean> {
  const r = await rt.exec(['nft', 'list', 'table', 'inet', 'mpwan'], { timeoutMs: 10000 });
  return r.status === 0;
}
