// The feed's signing keys: a folder outside the repository (never committed), made once by
// `make feed-key`; its public halves go into the feed for users to install.
//   usign.sec, usign.pub     Ed25519, usign's format: opkg (24.10) checks Packages.sig with it
//   apk.pem, apk.pub.pem     ECDSA P-256 (what OpenWrt signs its apk feeds with): packages.adb
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const KEY_FILES = { usignSecret: 'usign.sec', usignPublic: 'usign.pub', apkPrivate: 'apk.pem', apkPublic: 'apk.pub.pem' };

/** The key folder: --key-dir, else $MPWAN_FEED_KEY_DIR, else ~/.config/mpwan/feed-key. Never inside repo. */
export function keyDir(repo, given) {
  const dir = resolve(given ?? process.env.MPWAN_FEED_KEY_DIR ?? join(homedir(), '.config/mpwan/feed-key'));
  const rel = relative(resolve(repo), dir);
  if (!rel.startsWith('..') && !rel.startsWith('/')) {
    throw new Error(`${dir} is inside the repository: keep the private keys elsewhere (MPWAN_FEED_KEY_DIR)`);
  }
  return dir;
}

/** The keys in dir, or an error saying to run `make feed-key`. */
export function loadKeys(dir) {
  const read = (f) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`no ${p}: make the feed's keys once with 'make feed-key' (or build with UNSIGNED=1)`);
    return readFileSync(p, 'utf8');
  };
  return {
    usignSecret: read(KEY_FILES.usignSecret),
    usignPublic: read(KEY_FILES.usignPublic),
    apk: { privateKeyPem: read(KEY_FILES.apkPrivate), publicKeyPem: read(KEY_FILES.apkPublic) },
  };
}
