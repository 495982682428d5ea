// Base64 (RFC 4648), standard and URL-safe; QuickJS has no btoa/atob. Pure.
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function encodeBase64(bytes: Uint8Array, urlSafe = false, pad = true): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [n >> 18, (n >> 12) & 63, (n >> 6) & 63, n & 63].map((x) => STD[x]);
    const keep = Math.min(4, Math.ceil(((bytes.length - i) * 4) / 3));
    out += chars.slice(0, keep).join('') + (pad ? '='.repeat(4 - keep) : '');
  }
  return urlSafe ? out.replace(/\+/g, '-').replace(/\//g, '_') : out;
}

/** Accepts both alphabets, with or without padding; null when not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const s = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return null;
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, j) => (acc << 6) | (i + j < s.length ? STD.indexOf(s[i + j]) : 0), 0);
    out.push(n >> 16, (n >> 8) & 255, n & 255);
  }
  return new Uint8Array(out.slice(0, Math.floor((s.length * 3) / 4)));
}
