#!/usr/bin/env node
// `make feed-key`: the feed's key pairs, made once, in a folder outside the repository
// (--key-dir DIR, else $MPWAN_FEED_KEY_DIR, else ~/.config/mpwan/feed-key; mode 0700, the
// private keys 0600). Refuses to replace keys that are there: users trust the public ones.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KEY_FILES, keyDir } from './package/keys.mjs';
import { usignGenerate } from './package/usign.mjs';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const i = args.indexOf('--key-dir');
const dir = keyDir(repo, i >= 0 ? args[i + 1] : undefined);

const present = Object.values(KEY_FILES).filter((f) => existsSync(join(dir, f)));
if (present.length) {
  console.error(`feed-key: ${dir} already has ${present.join(', ')}: keeping them (delete them first to make new ones)`);
  process.exit(present.length === Object.keys(KEY_FILES).length ? 0 : 1);
}
mkdirSync(dir, { recursive: true, mode: 0o700 });
const usign = usignGenerate('mpwan feed');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
writeFileSync(join(dir, KEY_FILES.usignSecret), usign.secret, { mode: 0o600 });
writeFileSync(join(dir, KEY_FILES.usignPublic), usign.public, { mode: 0o644 });
writeFileSync(join(dir, KEY_FILES.apkPrivate), ec.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
writeFileSync(join(dir, KEY_FILES.apkPublic), ec.publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
console.log(`feed-key: wrote ${dir}/{${Object.values(KEY_FILES).join(',')}} (usign key id ${usign.fingerprint}); `
  + 'keep the private ones (usign.sec, apk.pem) safe: every feed you publish is signed with them');
