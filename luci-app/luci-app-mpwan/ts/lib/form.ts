// How every settings option is made (mpwanSection): its datatype comes from mpwan's option
// table, booleans read as mpwan reads them, and Save writes only what the user changed.
//
// Datatypes: scripts/build-luci.mjs inlines luciDatatypes() (src/config/options.ts), the LuCI
// datatype of each option derived from the table the validator uses, so the form refuses
// what `mpwan check` refuses. Only Value and DynamicList widgets check them.
//
// Save: form.js's AbstractValue.parse writes an option whenever the widget's value differs
// from the config, and a widget shows the default where the config has no option: so a
// ListValue without an empty choice writes its default (or first choice), and a Flag with
// rmempty=false writes itself, on every first Save. An option whose widget still shows what
// the config means (its value, or the default mpwan applies when the option is absent) is
// left alone here; anything else goes through form.js as usual.
import datatypes from 'mpwan-build:datatypes';
import type { SectionType } from '../../../../src/config/options.js';
import { bool } from '../../../../src/config/value-types.js';

/** A config or form value as a list of strings: '', null and [] are all "nothing". */
function asList(v: unknown): string[] {
  if (v === null || v === undefined || v === '') return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function sameValue(a: unknown, b: unknown): boolean {
  const x = asList(a), y = asList(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function keepUntouched<O extends LuCI.AbstractValue>(o: O): O {
  const parse = o.parse;
  o.parse = function (this: O, sid: string): Promise<void> {
    if (this.isActive(sid) && this.isValid(sid) && sameValue(this.formvalue(sid), this.cfgvalue(sid) ?? this.default))
      return Promise.resolve();
    return parse.call(this, sid);
  };
  return o;
}

/**
 * A boolean the config spells yes/on/true/enabled (mpwan takes them) reads as '1' or '0', the
 * values a Flag or an on/off choice knows: else a checkbox would show "off" for 'yes' and the
 * next Save would write '0'.
 */
function readsBoolean<O extends LuCI.AbstractValue>(o: O): O {
  const cfgvalue = o.cfgvalue;
  o.cfgvalue = function (this: O, ...args: Parameters<O['cfgvalue']>) {
    const v = (cfgvalue as (...a: unknown[]) => ReturnType<O['cfgvalue']>).apply(this, args);
    const b = typeof v === 'string' ? bool.parse(v) : null;
    return b === null ? v : b ? '1' : '0';
  } as O['cfgvalue'];
  return o;
}

/** Every option of `s` (form.js's taboption goes through option) made as described above. */
export function mpwanSection<S extends LuCI.AbstractSection>(s: S, type: SectionType): S {
  const option = s.option;
  const table: Record<string, string> = datatypes[type];
  s.option = function <O extends LuCI.AbstractValue>(this: S, ...args: Parameters<S['option']>): O {
    const o = (option as (...a: unknown[]) => O).apply(this, args);
    const name = args[1];
    if (Object.prototype.hasOwnProperty.call(table, name)) {
      o.datatype = table[name];
      if (table[name] === bool.datatype) readsBoolean(o);
    }
    return keepUntouched(o);
  } as S['option'];
  return s;
}

/**
 * The text in the option's field. LuCI hands `validate` the validator's value after the
 * datatype ran, and a datatype part that checks a piece sets it to that piece: cidr leaves
 * '24' of '192.0.2.0/24' (validation.js apply()). The field (a DynamicList's entry field
 * too) has the id widget.<cbid>.
 */
function fieldText(o: LuCI.AbstractValue, sid: string, v: string): string {
  const el = document.getElementById(`widget.${o.cbid(sid)}`);
  return el instanceof HTMLInputElement ? el.value : v;
}

/**
 * A `validate` holding the value to mpwan's own parser, for values LuCI's datatype lets
 * through and mpwan refuses (IPv4 with leading zeros, control characters): LuCI runs it after
 * the datatype, on each entry of a DynamicList.
 */
export const parsedBy = (type: { parse(v: string): unknown; expect: string }) =>
  function (this: LuCI.AbstractValue, sid: string, v: string): true | string {
    const text = fieldText(this, sid, v);
    return text === '' || type.parse(text) !== null ? true : _('Expecting: %s').format(type.expect);
  };
