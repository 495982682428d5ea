// packages.adb, the index apk-tools 3 reads from a feed folder, as `apk mkndx --sign KEY *.apk`
// writes it (app_mkndx.c): for each package, its pkginfo with file-size (of the .apk) and hashes
// (the SHA-256 of the package's ADB block, by which apk trusts a package the signed index lists),
// sorted by name; signed with the feed's ECDSA key.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { AdbWriter, adbFile, SCHEMA } from './adb.mjs';

const TYPE_MASK = 0xf0000000;
const VALUE_MASK = 0x0fffffff;

/** Copies value v of the ADB block src (a pkginfo and what it holds) into writer w. */
function copyValue(w, src, v) {
  const type = (v & TYPE_MASK) >>> 0;
  const at = v & VALUE_MASK;
  switch (type) {
    case 0x00000000: case 0x10000000: return v;
    case 0x20000000: return w.int(src.readUInt32LE(at));
    case 0x30000000: return w.int(Number(src.readBigUInt64LE(at)));
    case 0x80000000: return w.blob(src.subarray(at + 1, at + 1 + src[at]));
    case 0x90000000: return w.blob(src.subarray(at + 2, at + 2 + src.readUInt16LE(at)));
    case 0xa0000000: return w.blob(src.subarray(at + 4, at + 4 + src.readUInt32LE(at)));
    case 0xd0000000: case 0xe0000000: {
      const n = src.readUInt32LE(at);
      const slots = [0];
      for (let i = 1; i < n; i++) slots.push(copyValue(w, src, src.readUInt32LE(at + 4 * i)));
      return type === 0xd0000000 ? w.array(slots.slice(1)) : w.object(slots);
    }
    default: throw new Error(`ADB value of unknown type ${type.toString(16)}`);
  }
}

/** The fields of an object value, index 1.. */
function objectSlots(src, v) {
  const at = v & VALUE_MASK;
  const n = src.readUInt32LE(at);
  return Array.from({ length: n }, (_, i) => (i === 0 ? 0 : src.readUInt32LE(at + 4 * i)));
}

/**
 * The index of packages [{ name, file, adb }] (buildApk's results), as bytes.
 * key: { privateKeyPem, publicKeyPem } or null (unsigned, only with --unsigned).
 */
export function apkIndex(packages, { description, key }) {
  const w = new AdbWriter();
  const sorted = [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const infos = sorted.map((p) => {
    const pkgRoot = objectSlots(p.adb, p.adb.readUInt32LE(4));
    const info = objectSlots(p.adb, pkgRoot[1]).map((v, i) => (i === 0 ? 0 : copyValue(w, p.adb, v)));
    info[3] = w.blob(createHash('sha256').update(p.adb).digest()); // hashes
    info[13] = w.int(statSync(p.file).size); // file-size
    return w.object(info);
  });
  const root = w.object([0, w.blob(description), w.array(infos)]);
  return adbFile(SCHEMA.index, w.finish(root), key);
}
