// The one wrapper around `nft`. Rulesets go in on stdin as one transaction, checked first.
import type { Runtime } from './runtime.js';
import { CommandError, MpwanError } from '../model/errors.js';
import { renderNftRemoval } from '../proxy/nft.js';
import { runDir } from './paths.js';

/** Present while table inet mpwan is loaded: lets `mpwan apply` skip nft when there is none. */
const marker = (rt: Runtime) => `${runDir(rt)}/nft.loaded`;

async function nftLoad(rt: Runtime, text: string, check: boolean): Promise<void> {
  const argv = ['nft', ...(check ? ['-c'] : []), '-f', '-'];
  const r = await rt.exec(argv, { input: text, timeoutMs: 10000 });
  if (r.status === 127) throw new MpwanError('kernel_unsupported', "the 'nft' program was not found: install nftables (opkg install nftables)");
  if (r.status !== 0) throw new CommandError(r.argv, r.status, r.stderr);
}

/** Replaces table inet mpwan atomically (after `nft -c` accepts the same text). */
export async function applyNft(rt: Runtime, text: string): Promise<void> {
  await nftLoad(rt, text, true);
  rt.writeFileAtomic(marker(rt), '');
  await nftLoad(rt, text, false);
}

export async function removeNft(rt: Runtime): Promise<void> {
  await nftLoad(rt, renderNftRemoval(), false);
  rt.removeFile(marker(rt));
}

/** Removes the table if mpwan loaded it and it may still be there (a daemon killed with -9). */
export async function removeLeftoverNft(rt: Runtime): Promise<void> {
  if (rt.exists(marker(rt))) await removeNft(rt);
}
