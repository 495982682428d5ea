// Value types of mpwan's options: parse returns null on bad input, expect says what was
// wanted, datatype is the LuCI datatype that accepts the same strings (or, where LuCI
// cannot say it, fewer: see test/unit/luci-datatypes.test.ts). Pure; shared by the
// validator and (through options.ts) the LuCI forms.
import { familyOf } from '../lib/inet.js';
import { encodeUtf8 } from '../lib/utf8.js';
import { anyOf, decimalInts, literals, tenthsBelowTen } from './luci-datatype.js';

export interface Type<T> {
  expect: string;
  parse(raw: string): T | null;
  datatype: string;
}

const TRUE = ['1', 'yes', 'on', 'true', 'enabled'];
const FALSE = ['0', 'no', 'off', 'false', 'disabled'];

/** Booleans as uci and /lib/functions.sh spell them. */
export const bool: Type<boolean> = {
  expect: "a boolean ('1' or '0'; yes/no, on/off, true/false and enabled/disabled also work)",
  parse: (v) => (TRUE.includes(v) ? true : FALSE.includes(v) ? false : null),
  datatype: literals([...TRUE, ...FALSE]),
};

/** Decimal only: no sign, exponent, hex or padding, and no leading zero (the kernel reads 010 as octal). */
export const int = (min: number, max: number): Type<number> => ({
  expect: `a decimal integer from ${min} to ${max}`,
  parse: (v) => {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(v)) return null;
    const n = Number(v);
    return n >= min && n <= max ? n : null;
  },
  datatype: anyOf(decimalInts([[min, max]])),
});

export const oneOf = <T extends string>(values: readonly T[]): Type<T> => ({
  expect: `one of ${values.join(', ')}`,
  parse: (v) => ((values as readonly string[]).includes(v) ? (v as T) : null),
  datatype: literals(values),
});

/** What a sysctl file is written with: a boolean as '0'/'1', a number in decimal. */
export const asSysctl = <T extends boolean | number>(type: Type<T>): Type<string> => ({
  expect: type.expect,
  parse: (v) => {
    const p = type.parse(v);
    return p === null ? null : typeof p === 'boolean' ? (p ? '1' : '0') : String(p);
  },
  datatype: type.datatype,
});

/**
 * The kernel keeps 15 characters (MPTCP_SCHED_NAME_MAX 16) and would truncate silently. Case
 * is the kernel's business: a name it does not have is reported when the plan is made.
 */
export const schedulerName: Type<string> = {
  expect: 'a scheduler name: 1 to 15 letters, digits or _ (see net.mptcp.available_schedulers)',
  parse: (v) => (/^[A-Za-z0-9_]{1,15}$/.test(v) ? v : null),
  datatype: 'and(uciname,maxlength(15))',
};

export const INT_MAX = 2 ** 31 - 1;
export const UINT_MAX = 2 ** 32 - 1;
/** proc_dointvec_jiffies refuses seconds above INT_MAX / HZ; HZ is at most 1000. */
export const JIFFIES_SECONDS_MAX = Math.floor(INT_MAX / 1000);

/** Seconds with at most one decimal: 0.5, 2, 10. */
export const seconds = (min: number, max: number): Type<number> => ({
  expect: `a number of seconds from ${min} to ${max} (like 0.5 or 2)`,
  parse: (v) => {
    if (!/^(0|[1-9][0-9]{0,4})(\.[0-9])?$/.test(v)) return null;
    const n = Number(v);
    return n >= min && n <= max ? n : null;
  },
  // LuCI cannot tell 2.0 from 002: whole seconds, and tenths below 10 only.
  datatype: anyOf([...decimalInts([[Math.ceil(min), Math.floor(max)]]), ...tenthsBelowTen(min, max)]),
});

export const ipAddress: Type<string> = {
  expect: 'an IPv4 or IPv6 address',
  parse: (v) => (familyOf(v) !== null ? v : null),
  datatype: 'ipaddr(1)',
};

/**
 * A host name as LuCI's `hostname` takes it: letters, digits, _ - and dots, at most 253, not
 * only digits and dots. Whether it resolves is for the resolver to say.
 */
const hostName = (v: string) => v.length <= 253
  && (/^[A-Za-z0-9_]+$/.test(v) || (/^[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9]\.?$/.test(v) && /[^0-9.]/.test(v)));

export const host: Type<string> = {
  expect: 'an IP address or a host name',
  parse: (v) => (familyOf(v) !== null || hostName(v) ? v : null),
  datatype: 'host',
};

/** Shadowsocks takes any text; control characters (tabs, line breaks) are refused as mistakes. */
export const password: Type<string> = {
  expect: '1 to 256 bytes of printable text (spaces and non-ASCII letters too; no tabs or line breaks)',
  parse: (v) => {
    const bytes = encodeUtf8(v).length;
    return bytes >= 1 && bytes <= 256 && !/[\x00-\x1f\x7f-\x9f]/.test(v) ? v : null;
  },
  datatype: 'rangelength(1,256)',
};

/** The relay's key as `mpwan server setup` writes it: 32 bytes in hex (any case; kept as lower case). */
export const relayKey: Type<string> = {
  expect: "64 hexadecimal digits (the key in the mpwan:// link 'mpwan server setup' printed)",
  parse: (v) => (/^[0-9a-fA-F]{64}$/.test(v) ? v.toLowerCase() : null),
  datatype: 'and(hexstring,length(64))',
};

export const netifdName: Type<string> = {
  expect: 'a netifd interface name',
  parse: (v) => (/^[A-Za-z0-9_]{1,64}$/.test(v) ? v : null),
  datatype: 'and(uciname,maxlength(64))',
};

/** An address, or a prefix with a length as LuCI's cidr writes it; the length comes back in decimal (08 -> 8). */
export const prefix: Type<string> = {
  expect: 'an IPv4 or IPv6 address or prefix (192.0.2.0/24, 2001:db8::/32)',
  parse: (v) => {
    const [addr, len, ...rest] = v.split('/');
    const fam = familyOf(addr);
    if (!fam || rest.length > 0) return null;
    if (len === undefined) return v;
    const ok = (fam === 4 ? /^[0-9]{1,2}$/ : /^[0-9]{1,3}$/).test(len) && Number(len) <= (fam === 4 ? 32 : 128);
    return ok ? `${addr}/${Number(len)}` : null;
  },
  datatype: 'or(ipaddr(1),cidr)',
};

/** DSCP class names (RFC 2474, 2597, 3246, 5865) and their code points. */
export const DSCP_CLASSES: Record<string, number> = {
  be: 0, cs0: 0, cs1: 8, cs2: 16, cs3: 24, cs4: 32, cs5: 40, cs6: 48, cs7: 56,
  af11: 10, af12: 12, af13: 14, af21: 18, af22: 20, af23: 22, af31: 26, af32: 28, af33: 30, af41: 34, af42: 36, af43: 38,
  va: 44, ef: 46,
};

/**
 * A LAN flow whose UDP goes out on two uplinks at once: `dscp:<class or 0-63>` or
 * `port:<destination port>`. Kept as the relay reads it: `dscp:46`, `port:3478`.
 */
export const duplicateMatch: Type<string> = {
  expect: "dscp:<class> (dscp:ef, dscp:af41, dscp:46) or port:<destination port> (port:3478)",
  parse: (v) => {
    const m = /^(dscp|port):([a-z0-9]{1,5})$/.exec(v);
    if (!m) return null;
    if (m[1] === 'port') {
      const port = /^[1-9][0-9]{0,4}$/.test(m[2]) ? Number(m[2]) : 0;
      return port >= 1 && port <= 65535 ? `port:${port}` : null;
    }
    const dscp = /^(0|[1-9][0-9]?)$/.test(m[2]) ? Number(m[2]) : DSCP_CLASSES[m[2]];
    return dscp !== undefined && dscp <= 63 ? `dscp:${dscp}` : null;
  },
  // LuCI has no pattern datatype: the form checks the spelling itself (duplicateMatch.parse).
  datatype: 'rangelength(6,10)',
};

const BYTE_SUFFIX: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * An amount of data as carriers bill it: bytes, or with K, M, G or T (powers of 1000; either
 * case), fractions allowed with a suffix (1.5G). At least 1 byte, at most 1,000 T.
 */
export const byteSize: Type<number> = {
  expect: 'a number of bytes, with K, M, G or T for thousands, millions... (500M, 20G, 1.5T)',
  parse: (v) => {
    const m = /^(0|[1-9][0-9]{0,15})(?:\.([0-9]{1,3}))?([KMGTkmgt]?)$/.exec(v);
    if (!m || (m[2] !== undefined && m[3] === '')) return null;
    const n = Math.round(Number(`${m[1]}.${m[2] ?? '0'}`) * BYTE_SUFFIX[m[3].toUpperCase()]);
    return n >= 1 && n <= 1e15 ? n : null;
  },
  // LuCI has no pattern datatype: the form checks the spelling itself (byteSize.parse).
  datatype: 'rangelength(1,20)',
};
