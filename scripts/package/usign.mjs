// usign, the Ed25519 signatures opkg checks (OpenWrt's usign/main.c): key and signature files
// are one "untrusted comment:" line and one base64 line of a small binary record:
//   public key  "Ed" | key id (8) | public key (32)
//   secret key  "Ed" | "BK" | kdf rounds (32-bit, big-endian; 0: not encrypted) | salt (16) |
//               checksum (first 8 bytes of the SHA-512 of the 64-byte secret key) | key id (8) |
//               secret key (64: seed and public key)
//   signature   "Ed" | key id (8) | Ed25519 signature of the whole message (64)
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const file = (comment, record) => `untrusted comment: ${comment}\n${record.toString('base64')}\n`;

/** The record of a usign file's second line. */
export function usignRecord(text) {
  const lines = text.split('\n');
  if (!lines[0].startsWith('untrusted comment: ')) throw new Error('not a usign file (no "untrusted comment:" line)');
  return Buffer.from(lines[1], 'base64');
}

/** A new key pair: { secret, public, fingerprint } (file texts and the key id in hex). */
export function usignGenerate(comment) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const id = randomBytes(8);
  const sk = Buffer.concat([seed, pub]);
  const rounds = Buffer.alloc(4);
  const checksum = createHash('sha512').update(sk).digest().subarray(0, 8);
  const secret = Buffer.concat([Buffer.from('EdBK'), rounds, Buffer.alloc(16), checksum, id, sk]);
  return {
    secret: file(`${comment} secret key`, secret),
    public: file(`${comment} public key`, Buffer.concat([Buffer.from('Ed'), id, pub])),
    fingerprint: id.toString('hex'),
  };
}

/** Packages.sig for message, with the secret key file's text. */
export function usignSign(secretText, message) {
  const r = usignRecord(secretText);
  if (r.length !== 104 || r.subarray(0, 4).toString() !== 'EdBK') throw new Error('not a usign Ed25519 secret key');
  if (r.readUInt32BE(4) !== 0) throw new Error('the usign secret key is encrypted: make one with `make feed-key`');
  const id = r.subarray(32, 40);
  const sk = r.subarray(40, 104);
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: sk.subarray(0, 32).toString('base64url'), x: sk.subarray(32).toString('base64url') },
    format: 'jwk',
  });
  const sig = sign(null, message, key);
  return file(`signed by key ${id.toString('hex')}`, Buffer.concat([Buffer.from('Ed'), id, sig]));
}
