// usign signatures as opkg checks them (usign's main.c and the signify format it follows): a file
// is an "untrusted comment:" line and a base64 line; a public key is "Ed", an 8-byte key id and
// the 32-byte Ed25519 key; a signature is "Ed", the signer's key id and the 64-byte Ed25519
// signature of the message itself. Written from that description, not from mpwan's signer.
import { createPublicKey, verify } from 'node:crypto';

function record(text: string, what: string, length: number): Buffer {
  const [comment, b64, ...rest] = text.split('\n');
  if (!comment.startsWith('untrusted comment: ')) throw new Error(`${what}: no untrusted comment line`);
  if (rest.some((l) => l !== '')) throw new Error(`${what}: more than two lines`);
  const r = Buffer.from(b64, 'base64');
  if (r.length !== length || r.subarray(0, 2).toString() !== 'Ed') throw new Error(`${what}: not an Ed25519 record of ${length} bytes`);
  return r;
}

/** The key id of a usign public key file, in hex (what `usign -F` prints and opkg-key names the key by). */
export function usignFingerprint(publicKey: string): string {
  return record(publicKey, 'public key', 42).subarray(2, 10).toString('hex');
}

/** `usign -V -m message -p publicKey -x signature`: true when the signature is the key's over message. */
export function usignVerify(publicKey: string, signature: string, message: Buffer): boolean {
  const pub = record(publicKey, 'public key', 42);
  const sig = record(signature, 'signature', 74);
  if (!sig.subarray(2, 10).equals(pub.subarray(2, 10))) return false;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub.subarray(10).toString('base64url') }, format: 'jwk' });
  return verify(null, message, key, sig.subarray(10));
}
