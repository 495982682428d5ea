// `nft -j list table inet mpwan` -> a digest of what the table holds, so the daemon can tell
// the table it loaded from one a firewall restart or a hand edit changed. Pure.
import { sha256Hex } from '../lib/sha256.js';

/** The same JSON with object keys sorted and kernel-assigned handles dropped. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) if (k !== 'handle') out[k] = canonical((v as Record<string, unknown>)[k]);
  return out;
}

/** Throws when the text is not nft's JSON listing. */
export function digestNftListing(text: string): string {
  const doc = JSON.parse(text) as { nftables?: unknown };
  if (!Array.isArray(doc.nftables)) throw new Error('no "nftables" array');
  const objects = doc.nftables.filter((o) => typeof o === 'object' && o !== null && !('metainfo' in o));
  return sha256Hex(JSON.stringify(canonical(objects)));
}

/**
 * Whether a line of `nft monitor` is about table `inet <table>`: `add|delete|... <object> inet
 * <table> ...` (a table, its chains, rules, sets and elements). Generation lines (`# new
 * generation ...`) and other tables' events are not.
 */
export function nftEventConcerns(line: string, table: string): boolean {
  const words = line.split(' ');
  return words.length >= 4 && /^[a-z]+$/.test(words[0]) && words[2] === 'inet' && words[3] === table;
}
