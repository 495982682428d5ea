// LuCI's form datatypes in TypeScript, with the semantics of luci-base's validation.js
// (openwrt/luci, modules/luci-base/htdocs/luci-static/resources/validation.js): how a
// datatype string compiles, and what each type that mpwan uses accepts, quirks included
// (range reads any decimal, uinteger takes leading zeros, apply() keeps the value it was
// given, lengths are UTF-8 bytes). For checking mpwan's datatypes against its parsers.

type Args = unknown[] | null;
type Check = (this: Validator, ...args: any[]) => boolean;

/** compile(): `name(args)` calls, numbers, quoted strings; `,` and `(` split even inside quotes, `\` escapes. */
export function compile(code: string): unknown[] {
  const stack: unknown[] = [];
  let start = 0;
  let depth = 0;
  let escaped = false;
  code += ',';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (escaped) { escaped = false; continue; }
    if (ch === '\\') { escaped = true; continue; }
    if (ch === '(' || ch === ',') {
      if (depth <= 0) {
        if (start < i) {
          const label = code.slice(start, i).replace(/\\(.)/g, '$1').replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
          if (label !== '' && !Number.isNaN(Number(label))) stack.push(parseFloat(label));
          else if (/^(['"]).*\1$/.test(label)) stack.push(label.slice(1, -1));
          else if (Object.prototype.hasOwnProperty.call(TYPES, label)) stack.push(TYPES[label], null);
          else throw new SyntaxError(`Unhandled token "${label}"`);
        }
        start = i + 1;
      }
      if (ch === '(') depth++;
    } else if (ch === ')') {
      if (--depth <= 0) {
        if (typeof stack[stack.length - 2] !== 'function') throw new SyntaxError('Argument list follows non-function');
        stack[stack.length - 1] = compile(code.slice(start, i));
        start = i + 1;
      }
    }
  }
  return stack;
}

const parseInteger = (x: string) => (/^-?\d+$/.test(x) ? +x : NaN);
const parseDecimal = (x: string) => (/^-?\d+(?:\.\d+)?$/.test(x) ? +x : NaN);
const bytes = (x: string) => Buffer.byteLength(x, 'utf8');

function parseIPv4(x: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(x);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.some((p) => p > 255) ? null : parts;
}

function parseIPv6(x: string): number[] | null {
  const tail = /^([a-fA-F0-9:]+):(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(x);
  if (tail) {
    const v4 = parseIPv4(tail[2]);
    if (!v4) return null;
    x = `${tail[1]}:${(v4[0] * 256 + v4[1]).toString(16)}:${(v4[2] * 256 + v4[3]).toString(16)}`;
  }
  if (!/^[a-fA-F0-9:]+$/.test(x)) return null;
  const halves = x.split(/::/);
  if (halves.length > 2) return null;
  const head = (halves[0] || '0').split(/:/);
  const rest = halves.length > 1 ? (halves[1] || '0').split(/:/) : [];
  // As in LuCI: with '::', head and tail together may have at most 7 groups, each side
  // counting an empty one as a group ('1:2:3:4:5:6:7::' is refused).
  if (rest.length ? head.length + rest.length > 7 : (halves.length < 2 && head.length < 8) || head.length > 8) return null;
  const words: number[] = [];
  const group = (g: string) => {
    const w = parseInt(g, 16);
    if (g.length > 4 || Number.isNaN(w) || w > 0xffff) return false;
    words.push(w);
    return true;
  };
  if (!head.every(group)) return null;
  for (let i = 0; i < 8 - head.length - rest.length; i++) words.push(0);
  if (!rest.every(group)) return null;
  return words;
}

class Validator {
  constructor(public value: string) {}

  /** Runs a type by name, first making `value` the value when one is given (and leaving it so). */
  apply(name: string, value: string | null, args: unknown[] = []): boolean {
    if (value !== null) this.value = value;
    return TYPES[name].apply(this, args);
  }
}

const TYPES: Record<string, Check> = {
  integer() { return !Number.isNaN(parseInteger(this.value)); },
  uinteger() { return parseInteger(this.value) >= 0; },
  float() { return !Number.isNaN(parseDecimal(this.value)); },
  ufloat() { return parseDecimal(this.value) >= 0; },
  ipaddr(nomask?: unknown) { return this.apply('ip4addr', null, [nomask]) || this.apply('ip6addr', null, [nomask]); },
  ip4addr(nomask?: unknown) {
    const m = (nomask ? /^(\d+\.\d+\.\d+\.\d+)$/ : /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+\.\d+\.\d+\.\d+)|\/(\d{1,2}))?$/).exec(this.value);
    return !!m && !!parseIPv4(m[1]) && (m[2] ? !!parseIPv4(m[2]) : m[3] ? this.apply('ip4prefix', m[3]) : true);
  },
  ip6addr(nomask?: unknown) {
    const m = (nomask ? /^([0-9a-fA-F:.]+)$/ : /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/).exec(this.value);
    return !!m && !!parseIPv6(m[1]) && (m[2] ? this.apply('ip6prefix', m[2]) : true);
  },
  ip4prefix() { return !Number.isNaN(Number(this.value)) && +this.value >= 0 && +this.value <= 32; },
  ip6prefix() { return !Number.isNaN(Number(this.value)) && +this.value >= 0 && +this.value <= 128; },
  cidr(negative?: unknown) { return this.apply('cidr4', null, [negative]) || this.apply('cidr6', null, [negative]); },
  cidr4(negative?: unknown) {
    const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\/(-)?(\d{1,2})$/.exec(this.value);
    return !!m && !!parseIPv4(m[1]) && (!!negative || !m[2]) && this.apply('ip4prefix', m[3]);
  },
  cidr6(negative?: unknown) {
    const m = /^([0-9a-fA-F:.]+)\/(-)?(\d{1,3})$/.exec(this.value);
    return !!m && !!parseIPv6(m[1]) && (!!negative || !m[2]) && this.apply('ip6prefix', m[3]);
  },
  host(ipv4only?: unknown) {
    return this.apply('hostname', null) || this.apply(ipv4only === 1 ? 'ip4addr' : 'ipaddr', null, ['nomask']);
  },
  hostname(strict?: unknown) {
    const v = this.value;
    if (v.length > 253) return false;
    return (/^[a-zA-Z0-9_]+$/.test(v) || (/^[a-zA-Z0-9_][a-zA-Z0-9_\-.]*[a-zA-Z0-9]\.?$/.test(v) && /[^0-9.]/.test(v)))
      && (!strict || !/^_/.test(v));
  },
  uciname() { return /^[a-zA-Z0-9_]+$/.test(this.value); },
  hexstring() { return /^([a-fA-F0-9]{2})+$/i.test(this.value); },
  range(min: number, max: number) { const v = parseDecimal(this.value); return v >= +min && v <= +max; },
  min(min: number) { return parseDecimal(this.value) >= +min; },
  max(max: number) { return parseDecimal(this.value) <= +max; },
  length(len: number) { return bytes(this.value) === +len; },
  rangelength(min: number, max: number) { const n = bytes(this.value); return n >= +min && n <= +max; },
  minlength(min: number) { return bytes(this.value) >= +min; },
  maxlength(max: number) { return bytes(this.value) <= +max; },
  /** Calls and literals in turn: the first that holds (a literal: equal to the value). */
  or(...args: unknown[]) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a !== 'function') {
        // eslint-disable-next-line eqeqeq
        if (a == this.value) return true;
      } else if ((a as Check).apply(this, (args[++i] as Args) ?? [])) {
        return true;
      }
    }
    return false;
  },
  and(...args: unknown[]) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a !== 'function') {
        // eslint-disable-next-line eqeqeq
        if (a != this.value) return false;
      } else if (!(a as Check).apply(this, (args[++i] as Args) ?? [])) {
        return false;
      }
    }
    return true;
  },
  string() { return true; },
};

/**
 * Validator.validate(): an empty value is valid only when the field is optional; otherwise
 * the first call of the compiled datatype decides.
 */
export function luciAccepts(datatype: string, value: string, optional = true): boolean {
  if (value.length === 0) return optional;
  const [check, args] = compile(datatype) as [Check, Args];
  return check.apply(new Validator(value), args ?? []);
}
