// A reader of apk-tools 3's ADB files, written from apk-tools' documentation (doc/apk-v3.5:
// wire format, blocks; doc/apk-package.5: fields) and its schema tables (src/apk_adb.c), not
// from mpwan's writer: it checks what it reads (types, bounds, block order) and decodes a
// package or an index into plain objects, keeping the raw ADB block to hash and verify.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

type Value = number;
export interface Block { type: 'adb' | 'sig' | 'data'; payload: Buffer }
export interface AdbFile { compression: 'none' | 'deflate'; schema: string; blocks: Block[]; adb: Buffer }

const BLOCK_TYPES = ['adb', 'sig', 'data'] as const;

/** Blocks of an ADB file: "ADB." + schema, or "ADBd" + raw deflate of that. */
export function readAdbFile(file: Buffer): AdbFile {
  const magic = file.subarray(0, 4).toString('latin1');
  let plain: Buffer;
  let compression: AdbFile['compression'];
  if (magic === 'ADBd') { plain = inflateRawSync(file.subarray(4)); compression = 'deflate'; }
  else if (magic === 'ADB.') { plain = file; compression = 'none'; }
  else throw new Error(`not an ADB file (starts with ${JSON.stringify(magic)})`);
  if (plain.subarray(0, 4).toString('latin1') !== 'ADB.') throw new Error('no ADB. header');
  const schema = plain.subarray(4, 8).toString('latin1');
  const blocks: Block[] = [];
  for (let at = 8; at < plain.length;) {
    if (at + 4 > plain.length) throw new Error('truncated block header');
    const word = plain.readUInt32LE(at);
    const type = word >>> 30;
    const raw = word & 0x3fffffff;
    if (type > 2) throw new Error(`block type ${type} (extended blocks are not used here)`);
    if (raw < 4 || at + raw > plain.length) throw new Error(`block at ${at}: bad size ${raw}`);
    blocks.push({ type: BLOCK_TYPES[type], payload: plain.subarray(at + 4, at + raw) });
    const padded = Math.ceil(raw / 8) * 8;
    if (plain.subarray(at + raw, at + padded).some((b) => b !== 0)) throw new Error('non-zero block padding');
    at += padded;
  }
  // One ADB block, then signatures, then data.
  const order = blocks.map((b) => b.type).join(' ');
  if (!/^adb( sig)*( data)*$/.test(order)) throw new Error(`block order '${order}'`);
  return { compression, schema, blocks, adb: blocks[0].payload };
}

/** Decodes values of one ADB block. */
export class AdbReader {
  constructor(readonly adb: Buffer) {
    if (adb.length < 8) throw new Error('ADB block shorter than its header');
    if (adb[0] !== 0) throw new Error(`ADB compat version ${adb[0]}`);
  }
  get root(): Value { return this.adb.readUInt32LE(4); }
  private at(v: Value, need: number): number {
    const off = v & 0x0fffffff;
    if (off + need > this.adb.length) throw new Error(`value ${v.toString(16)} points past the block`);
    return off;
  }
  type(v: Value): number { return v >>> 28; }
  isNull(v: Value): boolean { return v === 0; }
  int(v: Value): number {
    switch (this.type(v)) {
      case 0x1: return v & 0x0fffffff;
      case 0x2: return this.adb.readUInt32LE(this.at(v, 4));
      case 0x3: return Number(this.adb.readBigUInt64LE(this.at(v, 8)));
      default: throw new Error(`value ${v.toString(16)} is not an integer`);
    }
  }
  blob(v: Value): Buffer {
    const width = { 0x8: 1, 0x9: 2, 0xa: 4 }[this.type(v)];
    if (!width) throw new Error(`value ${v.toString(16)} is not a blob`);
    const off = this.at(v, width);
    const len = this.adb.readUIntLE(off, width);
    this.at(v, width + len);
    return this.adb.subarray(off + width, off + width + len);
  }
  /** Slots of an object or array: [count, v1, v2, ...]. */
  slots(v: Value): Value[] {
    if (this.type(v) !== 0xd && this.type(v) !== 0xe) throw new Error(`value ${v.toString(16)} is not an object or array`);
    const off = this.at(v, 4);
    const n = this.adb.readUInt32LE(off);
    if (n < 1) throw new Error('object with no slot count');
    this.at(v, 4 * n);
    return Array.from({ length: n }, (_, i) => this.adb.readUInt32LE(off + 4 * i));
  }
}

// The schemas (src/apk_adb.c): field names by number, and how to read each.
type Kind = 'string' | 'hex' | 'int' | Schema | { array: Kind };
interface Schema { [field: number]: [string, Kind] }
const dependency: Schema = { 1: ['name', 'string'], 2: ['version', 'string'], 3: ['match', 'int'] };
const deps = { array: dependency };
export const pkginfoSchema: Schema = {
  1: ['name', 'string'], 2: ['version', 'string'], 3: ['hashes', 'hex'], 4: ['description', 'string'], 5: ['arch', 'string'],
  6: ['license', 'string'], 7: ['origin', 'string'], 8: ['maintainer', 'string'], 9: ['url', 'string'], 10: ['repo-commit', 'hex'],
  11: ['build-time', 'int'], 12: ['installed-size', 'int'], 13: ['file-size', 'int'], 14: ['provider-priority', 'int'],
  15: ['depends', deps], 16: ['provides', deps], 17: ['replaces', deps], 18: ['install-if', deps], 19: ['recommends', deps],
  20: ['layer', 'int'], 21: ['tags', { array: 'string' }],
};
const acl: Schema = { 1: ['mode', 'int'], 2: ['user', 'string'], 3: ['group', 'string'], 4: ['xattrs', { array: 'hex' }] };
const file: Schema = { 1: ['name', 'string'], 2: ['acl', acl], 3: ['size', 'int'], 4: ['mtime', 'int'], 5: ['hash', 'hex'], 6: ['target', 'hex'] };
const dir: Schema = { 1: ['name', 'string'], 2: ['acl', acl], 3: ['files', { array: file }] };
const scripts: Schema = {
  1: ['trigger', 'string'], 2: ['pre-install', 'string'], 3: ['post-install', 'string'], 4: ['pre-deinstall', 'string'],
  5: ['post-deinstall', 'string'], 6: ['pre-upgrade', 'string'], 7: ['post-upgrade', 'string'],
};
export const packageSchema: Schema = {
  1: ['info', pkginfoSchema], 2: ['paths', { array: dir }], 3: ['scripts', scripts], 4: ['triggers', { array: 'string' }], 5: ['replaces-priority', 'int'],
};
export const indexSchema: Schema = { 1: ['description', 'string'], 2: ['packages', { array: pkginfoSchema }], 3: ['pkgname-spec', 'string'] };

/** Value v read as kind: objects become { field: value } with unset fields left out. */
export function decode(r: AdbReader, v: Value, kind: Kind): unknown {
  if (r.isNull(v)) return undefined;
  if (kind === 'string') return r.blob(v).toString('utf8');
  if (kind === 'hex') return r.blob(v).toString('hex');
  if (kind === 'int') return r.int(v);
  if ('array' in kind) {
    if (r.type(v) !== 0xd) throw new Error('expected an array');
    return r.slots(v).slice(1).map((x) => decode(r, x, (kind as { array: Kind }).array));
  }
  if (r.type(v) !== 0xe) throw new Error('expected an object');
  const out: Record<string, unknown> = {};
  r.slots(v).forEach((x, i) => {
    if (i === 0 || x === 0) return;
    const f = (kind as Schema)[i];
    if (!f) throw new Error(`field ${i} is not in the schema`);
    out[f[0]] = decode(r, x, f[1]);
  });
  return out;
}

/** apk's key id of a PEM public key: SHA-512 of the key as i2d_PublicKey writes it (an EC point), first 16 bytes. */
export function apkKeyId(publicKeyPem: string): Buffer {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return createHash('sha512').update(point).digest().subarray(0, 16);
}

/** Whether a SIG block (v0) is a valid signature of the file's ADB block by the key. */
export function verifySignature(f: AdbFile, sig: Buffer, publicKeyPem: string): boolean {
  if (sig[0] !== 0 || sig[1] !== 4) throw new Error(`signature version ${sig[0]}, hash ${sig[1]} (want v0, SHA-512)`);
  if (!sig.subarray(2, 18).equals(apkKeyId(publicKeyPem))) return false;
  const schema = Buffer.from(f.schema, 'latin1');
  const md = createHash('sha512').update(f.adb).digest();
  return verify('sha512', Buffer.concat([schema, sig.subarray(0, 18), md]), publicKeyPem, sig.subarray(18));
}
