// apk-tools 3's ADB format (doc/apk-v3.5 and src/adb.[ch] of apk-tools), written from Node:
// a tree of 32-bit little-endian values (type in the top 4 bits, an immediate value or the
// offset of the data in the low 28), stored in an ADB block; SIG blocks sign it, DATA blocks
// carry a package's file contents. The whole file is deflated behind "ADBd", as `apk mkpkg`
// and `apk mkndx` write it by default.
import { createHash, createPublicKey, sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';

export const SCHEMA = { package: 0x676b6370 /* pckg */, index: 0x78646e69 /* indx */ };
const TYPE = { int: 0x10000000, int32: 0x20000000, int64: 0x30000000, blob8: 0x80000000, blob16: 0x90000000, blob32: 0xa0000000, array: 0xd0000000, object: 0xe0000000 };
const BLOCK = { adb: 0, sig: 1, data: 2 };
const DIGEST_SHA512 = 4; // apk_crypto.h APK_DIGEST_SHA512

/** The values of one ADB block, appended in order; offsets are from the block's start. */
export class AdbWriter {
  constructor() {
    this.buf = Buffer.alloc(1 << 16);
    this.len = 8; // struct adb_hdr: compat version 0, version 0, reserved, root
  }

  /** Appends bytes at the next multiple of align; returns their offset. */
  raw(bytes, align) {
    const offset = Math.ceil(this.len / align) * align;
    if (offset + bytes.length > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, offset + bytes.length));
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    this.buf.fill(0, this.len, offset);
    bytes.copy(this.buf, offset);
    this.len = offset + bytes.length;
    if (offset > 0x0fffffff) throw new Error('ADB block larger than 256 MB');
    return offset;
  }

  /** A string or bytes with its length before it (8, 16 or 32 bits); null for an empty one. */
  blob(value) {
    const b = Buffer.isBuffer(value) ? value : Buffer.from(value ?? '', 'utf8');
    if (b.length === 0) return 0;
    const [type, size] = b.length > 0xffff ? [TYPE.blob32, 4] : b.length > 0xff ? [TYPE.blob16, 2] : [TYPE.blob8, 1];
    const head = Buffer.alloc(size);
    head.writeUIntLE(b.length, 0, size);
    return (type | this.raw(Buffer.concat([head, b]), size)) >>> 0;
  }

  /** An integer: in the value itself below 2^28, else stored (32 or 64 bits). */
  int(n) {
    if (n < 0x10000000) return (TYPE.int | n) >>> 0;
    if (n < 2 ** 32) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return (TYPE.int32 | this.raw(b, 4)) >>> 0;
    }
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return (TYPE.int64 | this.raw(b, 4)) >>> 0;
  }

  /** An object: fields[i] is the value of field i (1-based; unset ones null). Null when none is set. */
  object(fields) { return this.slots(TYPE.object, fields); }

  /** An array of values (already in the order the schema sorts them). */
  array(values) { return this.slots(TYPE.array, [0, ...values.filter((v) => v !== 0)]); }

  slots(type, fields) {
    let n = fields.length;
    while (n > 1 && !fields[n - 1]) n--;
    if (n <= 1) return 0;
    const b = Buffer.alloc(4 * n);
    b.writeUInt32LE(n, 0);
    for (let i = 1; i < n; i++) b.writeUInt32LE(fields[i] ?? 0, 4 * i);
    return (type | this.raw(b, 4)) >>> 0;
  }

  /** The block's bytes with root as its root value. */
  finish(root) {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    out.writeUInt32LE(root, 4);
    return out;
  }
}

/** One block: 32-bit type and size, payload, zeros up to a multiple of 8. */
export function block(type, payload) {
  const head = Buffer.alloc(4);
  const raw = 4 + payload.length;
  if (raw > 0x3fffffff) throw new Error('block too large for a plain header');
  head.writeUInt32LE(((BLOCK[type] << 30) | raw) >>> 0);
  return Buffer.concat([head, payload, Buffer.alloc((8 - (raw % 8)) % 8)]);
}

/** apk's key id: the first 16 bytes of the SHA-512 of the public key as i2d_PublicKey writes it (an EC point). */
export function keyId(publicKeyPem) {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error('apk keys here are ECDSA P-256 (what OpenWrt uses)');
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return createHash('sha512').update(point).digest().subarray(0, 16);
}

/**
 * A SIG block (signature version 0) over the ADB block: the key signs, with SHA-512, the schema,
 * the signature header and the SHA-512 of the ADB block's payload.
 */
const ECDSA_P256_DER_MAX = 72;

export function signatureBlock(schema, adb, key) {
  const head = Buffer.concat([Buffer.from([0, DIGEST_SHA512]), keyId(key.publicKeyPem)]);
  const schemaLe = Buffer.alloc(4);
  schemaLe.writeUInt32LE(schema);
  const md = createHash('sha512').update(adb).digest();
  // An ECDSA signature (DER) is 70 to 72 bytes long, by chance. Signing until it is 72 keeps every
  // file's size the same from build to build, so the index (which lists sizes) is reproducible.
  for (let tries = 0; tries < 256; tries++) {
    const sig = sign('sha512', Buffer.concat([schemaLe, head, md]), key.privateKeyPem);
    if (sig.length === ECDSA_P256_DER_MAX) return block('sig', Buffer.concat([head, sig]));
  }
  throw new Error('no full-length ECDSA signature in 256 tries');
}

/** A whole ADB file: header, the ADB block, a SIG block when key is given, then extra blocks; deflated. */
export function adbFile(schema, adb, key, dataBlocks = []) {
  const header = Buffer.alloc(8);
  header.write('ADB.', 0, 'latin1');
  header.writeUInt32LE(schema, 4);
  const parts = [header, block('adb', adb)];
  if (key) parts.push(signatureBlock(schema, adb, key));
  const plain = Buffer.concat([...parts, ...dataBlocks]);
  return Buffer.concat([Buffer.from('ADBd', 'latin1'), deflateRawSync(plain, { level: 9 })]);
}
