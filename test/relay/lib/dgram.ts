// The UDP datagrams of src/relay/PROTOCOL.md, built and checked independently of the C code,
// so the tests hold the relay to the written protocol rather than to itself.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { addressBytes } from './handshake.js';

export const udpKey = (keyHex: string) => createHmac('sha256', Buffer.from(keyHex, 'hex')).update('mpwan udp v1').digest();

export const TYPE = { toServer: 0x21, toRouter: 0x22, keepalive: 0x23, answer: 0x24 } as const;

function addressText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1); // the canonical spelling
}

export interface Datagram {
  type: number;
  flags?: number;
  session: number;
  seq: number;
  /** Unix seconds; now by default. */
  time?: number;
  /** Absent for keepalives. */
  address?: string;
  port?: number;
  payload?: Buffer;
}

export function seal(keyHex: string, d: Datagram): Buffer {
  const addr = d.address ? addressBytes(d.address) : Buffer.alloc(0);
  const head = Buffer.alloc(17);
  head[0] = d.type;
  head[1] = d.flags ?? 0;
  head.writeUInt32BE(d.session >>> 0, 2);
  head.writeUInt32BE(d.seq >>> 0, 6);
  head.writeUInt32BE((d.time ?? Math.floor(Date.now() / 1000)) >>> 0, 10);
  head[14] = addr.length === 4 ? 4 : addr.length === 16 ? 6 : 0;
  head.writeUInt16BE(d.port ?? 0, 15);
  const body = Buffer.concat([head, addr, d.payload ?? Buffer.alloc(0)]);
  return Buffer.concat([body, createHmac('sha256', udpKey(keyHex)).update(body).digest().subarray(0, 8)]);
}

/** The datagram if its tag is right (nothing else is checked), else null. */
export function open(keyHex: string, b: Buffer): (Required<Datagram> & { tagOk: true }) | null {
  if (b.length < 25) return null;
  const al = b[14] === 4 ? 4 : b[14] === 6 ? 16 : 0;
  if (b.length < 25 + al) return null;
  const tag = createHmac('sha256', udpKey(keyHex)).update(b.subarray(0, b.length - 8)).digest().subarray(0, 8);
  if (!timingSafeEqual(tag, b.subarray(b.length - 8))) return null;
  return {
    type: b[0], flags: b[1], session: b.readUInt32BE(2), seq: b.readUInt32BE(6), time: b.readUInt32BE(10),
    address: al ? addressText(b.subarray(17, 17 + al)) : '', port: b.readUInt16BE(15),
    payload: b.subarray(17 + al, b.length - 8), tagOk: true,
  };
}
