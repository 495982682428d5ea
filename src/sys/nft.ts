// The one wrapper around `nft`. Tables go in on stdin as one transaction, checked first;
// mpwan's table is read back as JSON, so it is observed state like the kernel's routes, and
// changes to it are watched with one long-running `nft monitor`.
import type { LineStream, Runtime } from './runtime.js';
import { CommandError, MpwanError } from '../model/errors.js';
import { NFT_TABLE, renderTableRemoval } from '../nft/table.js';
import { digestNftListing, nftEventConcerns } from '../observe/nft.js';

async function nft(rt: Runtime, args: string[], input?: string) {
  const r = await rt.exec(['nft', ...args], { ...(input !== undefined ? { input } : {}), timeoutMs: 10000 });
  if (r.status === 127) throw new MpwanError('kernel_unsupported', "the 'nft' program was not found: install nftables (opkg install nftables)");
  return r;
}

async function load(rt: Runtime, text: string, check: boolean): Promise<void> {
  const r = await nft(rt, [...(check ? ['-c'] : []), '-f', '-'], text);
  if (r.status !== 0) throw new CommandError(r.argv, r.status, r.stderr);
}

/** A digest of table inet mpwan as the kernel holds it, or null when there is no such table. */
export async function readNftTable(rt: Runtime): Promise<string | null> {
  const r = await nft(rt, ['-j', 'list', 'table', 'inet', NFT_TABLE]);
  if (r.status !== 0) {
    if (/No such file or directory/.test(r.stderr)) return null;
    throw new CommandError(r.argv, r.status, r.stderr);
  }
  try {
    return digestNftListing(r.stdout);
  } catch (e) {
    throw new MpwanError('command_failed', `nft -j list table inet ${NFT_TABLE}: unexpected output (${(e as Error).message})`);
  }
}

/** Replaces table inet mpwan atomically (after `nft -c` accepts the same text); returns its digest. */
export async function applyNftTable(rt: Runtime, text: string): Promise<string | null> {
  await load(rt, text, true);
  await load(rt, text, false);
  return readNftTable(rt);
}

export async function removeNftTable(rt: Runtime): Promise<void> {
  await load(rt, renderTableRemoval(), false);
}

/** One long-running `nft monitor`: `onChange` for each event about table inet mpwan (ours included). */
export function startNftEvents(rt: Runtime, onChange: () => void, onExit: (status: number) => void): LineStream {
  return rt.spawnLines(['nft', 'monitor'], (line) => { if (nftEventConcerns(line, NFT_TABLE)) onChange(); }, onExit);
}
