// Validation of ubus call arguments: types, ranges, enums, length limits; unknown arguments
// are rejected, `ubus_rpc_session` (added by LuCI) is accepted and ignored. Pure.
import { MpwanError } from '../model/errors.js';

export type ArgSpec =
  | { type: 'string'; pattern?: RegExp; maxLength: number; enum?: readonly string[]; required?: boolean; example: string }
  | { type: 'boolean'; required?: boolean; example: boolean }
  | { type: 'int'; min: number; max: number; required?: boolean; example: number };

export type ArgsSpec = Record<string, ArgSpec>;

/** Largest request accepted on stdin, and the deepest nesting, before JSON.parse is trusted. */
export const MAX_REQUEST_BYTES = 16 * 1024;
export const MAX_DEPTH = 8;

const IGNORED = new Set(['ubus_rpc_session']);

function depthOf(text: string): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') max = Math.max(max, ++depth);
    else if (ch === '}' || ch === ']') depth--;
  }
  return max;
}

/** Parses the request body; empty input means no arguments. */
export function parseRequest(text: string): Record<string, unknown> {
  if (text.length > MAX_REQUEST_BYTES) throw new MpwanError('invalid_argument', `request larger than ${MAX_REQUEST_BYTES} bytes`);
  if (text.trim() === '') return {};
  if (depthOf(text) > MAX_DEPTH) throw new MpwanError('invalid_argument', `request nested deeper than ${MAX_DEPTH} levels`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new MpwanError('invalid_argument', 'request is not valid JSON (truncated?)');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MpwanError('invalid_argument', 'request must be a JSON object');
  return v as Record<string, unknown>;
}

export function validateArgs(spec: ArgsSpec, args: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const problems: string[] = [];
  const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  for (const key of Object.keys(args)) {
    if (IGNORED.has(key)) {
      if (typeof args[key] !== 'string') problems.push(`'${key}' must be a string`);
    } else if (!own(spec, key)) {
      problems.push(`unknown argument '${key.slice(0, 32)}'`);
    }
  }
  for (const [name, s] of Object.entries(spec)) {
    const v = own(args, name) ? args[name] : undefined;
    if (v === undefined) {
      if (s.required) problems.push(`missing argument '${name}'`);
      continue;
    }
    if (s.type === 'string') {
      if (typeof v !== 'string') { problems.push(`'${name}' must be a string`); continue; }
      if (v.length > s.maxLength) { problems.push(`'${name}' is longer than ${s.maxLength} characters`); continue; }
      if (s.enum && !s.enum.includes(v)) { problems.push(`'${name}' must be one of ${s.enum.join(', ')}`); continue; }
      if (s.pattern && !s.pattern.test(v)) { problems.push(`'${name}' has characters that are not allowed`); continue; }
      out[name] = v;
    } else if (s.type === 'boolean') {
      if (typeof v !== 'boolean') { problems.push(`'${name}' must be true or false`); continue; }
      out[name] = v;
    } else {
      if (typeof v !== 'number' || !Number.isInteger(v)) { problems.push(`'${name}' must be an integer`); continue; }
      if (v < s.min || v > s.max) { problems.push(`'${name}' must be between ${s.min} and ${s.max}`); continue; }
      out[name] = v;
    }
  }
  if (problems.length > 0) throw new MpwanError('invalid_argument', problems.join('; '), { problems });
  return out;
}

/** The `list` signature rpcd reads: the example value's JSON type sets the argument type. */
export function signature(spec: ArgsSpec): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, s.example]));
}
