// The TCP handshake of src/relay/PROTOCOL.md, built independently of the C code, so the
// tests check the relay against the written protocol rather than against itself.
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';

export const tcpKey = (keyHex: string) => createHmac('sha256', Buffer.from(keyHex, 'hex')).update('mpwan tcp v1').digest();

/** An address as the protocol carries it: 4 bytes for IPv4, 16 for IPv6. */
export function addressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // Expand "::" and write the eight 16-bit groups.
  const [head, tail] = address.includes('::') ? address.split('::') : [address, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export interface HandshakeOptions {
  keyHex: string;
  address: string;
  port: number;
  /** Unix seconds; now by default. */
  time?: number;
  nonce?: Buffer;
  /** 1: the router's bytes raw (the default); 2: in records. */
  type?: 1 | 2;
}

/** One record of a type 2 connection: 4-byte length, then the bytes; empty: the end record. */
export const record = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (bytes.length >>> (24 - 8 * i)) & 255)), bytes]);

export function handshake(o: HandshakeOptions): Buffer {
  const addr = addressBytes(o.address);
  const head = Buffer.alloc(8);
  head.write('MPW1', 0, 'latin1');
  head[4] = o.type ?? 1;
  head[5] = addr.length === 4 ? 4 : 6;
  head.writeUInt16BE(o.port, 6);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(o.time ?? Math.floor(Date.now() / 1000)));
  const body = Buffer.concat([head, addr, time, o.nonce ?? randomBytes(16)]);
  return Buffer.concat([body, createHmac('sha256', tcpKey(o.keyHex)).update(body).digest()]);
}
