// The links `mpwan server setup` prints and `mpwan server import` reads. Pure.
// - mpwan://<key>@<host>:<port>[#<name>]: the relay engine (the key in hex).
// - ss://<userinfo>@<host>:<port>[/][#<name>] (SIP002): the shadowsocks engines; userinfo is
//   base64url("method:password") for AEAD ciphers and percent-encoded for 2022-blake3 ones (SIP022).
import { SS_METHODS, type SsMethod } from '../model/config.js';
import { decodeBase64, encodeBase64 } from '../lib/base64.js';
import { decodeUtf8Strict, encodeUtf8 } from '../lib/utf8.js';
import { hostPort } from '../lib/inet.js';

export interface SsLink {
  host: string;
  port: number;
  method: SsMethod;
  password: string;
  name?: string;
}

export function encodeSsLink(l: SsLink): string {
  const userinfo = l.method.startsWith('2022-')
    ? `${encodeURIComponent(l.method)}:${encodeURIComponent(l.password)}`
    : encodeBase64(encodeUtf8(`${l.method}:${l.password}`), true, false);
  return `ss://${userinfo}@${hostPort(l.host, l.port)}${l.name ? `#${encodeURIComponent(l.name)}` : ''}`;
}

/** Throws an Error saying what is wrong with the link. */
export function parseSsLink(uri: string): SsLink {
  const m = /^ss:\/\/([^@]+)@(\[[0-9A-Fa-f:.]+\]|[^:/?#]+):(\d{1,5})\/?(?:\?[^#]*)?(?:#(.*))?$/.exec(uri.trim());
  if (!m) throw new Error('not an ss:// link of the form ss://<userinfo>@<host>:<port>');
  const [, userinfo, rawHost, rawPort, name] = m;
  let plain: string | null = null;
  if (userinfo.includes(':') || userinfo.includes('%')) {
    try { plain = decodeURIComponent(userinfo); } catch { plain = null; }
  } else {
    const bytes = decodeBase64(userinfo);
    try { plain = bytes ? decodeUtf8Strict(bytes) : null; } catch { plain = null; }
  }
  const sep = plain?.indexOf(':') ?? -1;
  if (!plain || sep < 1) throw new Error('the link has no method:password');
  const method = plain.slice(0, sep);
  const password = plain.slice(sep + 1);
  if (!(SS_METHODS as readonly string[]).includes(method)) throw new Error(`cipher '${method}' is not supported (use one of ${SS_METHODS.join(', ')})`);
  const port = Number(rawPort);
  if (port < 1 || port > 65535) throw new Error(`port ${rawPort} is out of range`);
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const link: SsLink = { host, port, method: method as SsMethod, password };
  if (name) {
    try { link.name = decodeURIComponent(name); } catch { /* a name is decoration only */ }
  }
  return link;
}

/** The relay engine's link, as `mpwan server setup` prints it: mpwan://<key hex>@<host>:<port>[#<name>]. */
export interface RelayLink {
  host: string;
  port: number;
  key: string;
  name?: string;
}

export function encodeRelayLink(l: RelayLink): string {
  return `mpwan://${l.key}@${hostPort(l.host, l.port)}${l.name ? `#${encodeURIComponent(l.name)}` : ''}`;
}

/** Throws an Error saying what is wrong with the link. */
export function parseRelayLink(uri: string): RelayLink {
  const m = /^mpwan:\/\/([^@]*)@(\[[0-9A-Fa-f:.]+\]|[^:/?#[\]]+):(\d{1,5})\/?(?:#(.*))?$/.exec(uri.trim());
  if (!m) throw new Error('not an mpwan:// link of the form mpwan://<key>@<host>:<port>');
  const [, key, rawHost, rawPort, name] = m;
  if (!/^[0-9a-fA-F]{64}$/.test(key)) throw new Error('the key in the link is not 64 hexadecimal digits (was the link cut short?)');
  const port = Number(rawPort);
  if (port < 1 || port > 65535) throw new Error(`port ${rawPort} is out of range`);
  const link: RelayLink = { host: rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost, port, key: key.toLowerCase() };
  if (name) {
    try { link.name = decodeURIComponent(name); } catch { /* a name is decoration only */ }
  }
  return link;
}

/** Either link, by its scheme; anything else is named as what `mpwan server setup` prints. */
export function parseServerLink(uri: string): RelayLink | SsLink {
  const t = uri.trim();
  if (t.startsWith('mpwan://')) return parseRelayLink(t);
  if (t.startsWith('ss://')) return parseSsLink(t);
  throw new Error(`${t === '' ? 'the link is empty' : 'not a server link'}: expected mpwan://<key>@<host>:<port> (or ss://<userinfo>@<host>:<port>)`);
}
