// Fuzzed handshakes: random bytes, truncated, wrong or impossible length fields, bit flips of
// a valid one. None may be accepted: the server must close each without a byte.
import { randomBytes, randomInt } from 'node:crypto';
import { handshake } from './handshake.js';

/** `address` and `destPort`: the destination inside the handshakes. */
export interface FuzzOptions { n: number; keyHex: string; address: string; destPort: number }

export function fuzzCases(o: FuzzOptions): Buffer[] {
  const valid = () => handshake({ keyHex: o.keyHex, address: o.address, port: o.destPort });
  const kinds: (() => Buffer)[] = [
    () => randomBytes(randomInt(0, 200)),
    () => Buffer.concat([Buffer.from('MPW1'), randomBytes(randomInt(0, 120))]),
    () => valid().subarray(0, randomInt(0, 68)),
    () => { const b = valid(); b[5] = 6; return b; }, // says IPv6: 12 bytes short, then EOF
    () => { const b = Buffer.concat([valid(), randomBytes(12)]); b[5] = 6; return b; }, // length right, MAC wrong
    () => { const b = valid(); b[5] = randomInt(0, 256); if (b[5] === 4) b[5] = 255; return b; },
    () => { const b = valid(); b[4] = randomInt(2, 256); return b; },
    () => randomBytes(randomInt(1000, 70000)), // far more than any handshake
    () => {
      const b = valid();
      const bits = new Set<number>();
      for (let n = randomInt(1, 4); bits.size < n;) bits.add(randomInt(0, b.length * 8)); // distinct: never flipped back
      for (const bit of bits) b[bit >> 3] ^= 1 << (bit & 7);
      return b;
    },
  ];
  return Array.from({ length: o.n }, (_, i) => kinds[i % kinds.length]());
}
