// UTF-8 to and from strings: QuickJS has no TextEncoder/TextDecoder. Pure.

export function encodeUtf8(s: string): Uint8Array {
  const bin = unescape(encodeURIComponent(s));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Strict decoding: throws on an invalid sequence (for input that must be exact, like a link). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return decodeURIComponent(escape(binary(bytes)));
}

function binary(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  }
  return bin;
}

/** Tolerant decoding: an invalid sequence becomes U+FFFD, as TextDecoder does. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decodeUtf8Strict(bytes);
  } catch {
    return decodeSlow(bytes);
  }
}

const cont = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

function decodeSlow(bytes: Uint8Array): string {
  const parts: string[] = [];
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let cp = 0xfffd, len = 1;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xc2 && b < 0xe0 && cont(bytes[i + 1])) {
      cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f); len = 2;
    } else if (b >= 0xe0 && b < 0xf0 && cont(bytes[i + 1]) && cont(bytes[i + 2])) {
      const c = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) { cp = c; len = 3; }
    } else if (b >= 0xf0 && b < 0xf5 && cont(bytes[i + 1]) && cont(bytes[i + 2]) && cont(bytes[i + 3])) {
      const c = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      if (c >= 0x10000 && c <= 0x10ffff) { cp = c; len = 4; }
    }
    out += String.fromCodePoint(cp);
    i += len;
    if (out.length >= 8192) { parts.push(out); out = ''; }
  }
  parts.push(out);
  return parts.join('');
}
