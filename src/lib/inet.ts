// Address parsing and classification. Pure; used to validate every address before it
// reaches a command and to decide which addresses may carry MPTCP subflows.
import type { Family } from '../model/kernel.js';

export function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** 16 bytes, or null. Accepts `::`, embedded IPv4 tails, no zone ids. */
export function parseIPv6(text: string): number[] | null {
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  /** `last`: this half ends the address, so its last group may be a dotted IPv4 tail. */
  const groups = (s: string, last: boolean): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array(missing).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

export function familyOf(address: string): Family | null {
  if (parseIPv4(address)) return 4;
  if (parseIPv6(address)) return 6;
  return null;
}

/** `host:port` as people and tools read it: an IPv6 address in brackets (RFC 3986), `[2001:db8::1]:8388`. */
export function hostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Canonical text (RFC 5952 for IPv6), so netifd's and the kernel's spellings compare equal. */
export function canonicalAddress(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4) return v4.join('.');
  const v6 = parseIPv6(address);
  if (!v6) return null;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((v6[i] << 8) | v6[i + 1]);
  // Longest run of two or more zero groups becomes '::'.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** Why an address must not carry subflows, or null when it may. */
export function unusableReason(address: string, allowUla: boolean): string | null {
  const v4 = parseIPv4(address);
  if (v4) {
    if (v4[0] === 127) return 'loopback';
    if (v4[0] === 169 && v4[1] === 254) return 'link-local';
    if (v4[0] >= 224) return v4[0] < 240 ? 'multicast' : 'reserved';
    if (v4[0] === 0) return 'unspecified';
    return null;
  }
  const v6 = parseIPv6(address);
  if (!v6) return 'not an IP address';
  if (v6.every((b) => b === 0)) return 'unspecified';
  if (v6.slice(0, 15).every((b) => b === 0) && v6[15] === 1) return 'loopback';
  if (v6[0] === 0xfe && (v6[1] & 0xc0) === 0x80) return 'link-local';
  if (v6[0] === 0xff) return 'multicast';
  if ((v6[0] & 0xfe) === 0xfc && !allowUla) return 'unique-local (ULA; set ula to use it)';
  if (v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return 'IPv4-mapped';
  return null;
}

/** Interface names the kernel accepts and that cannot be mistaken for an `ip` keyword or option. */
export function isValidDeviceName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(name) && !['all', 'default', 'help'].includes(name);
}
