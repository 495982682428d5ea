// Save writes only what the user changed. form.js's AbstractValue.parse writes an option
// whenever the widget's value differs from the config, and a widget shows the default where
// the config has no option: so a ListValue without an empty choice writes its default (or
// first choice), and a Flag with rmempty=false writes itself, on every first Save. An option
// whose widget still shows what the config means (its value, or the default mpwan applies
// when the option is absent) is left alone here; anything else goes through form.js as usual.

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

/** Makes every option of `s` (form.js's taboption goes through option) save only changes. */
export function savesOnlyChanges<S extends LuCI.AbstractSection>(s: S): S {
  const option = s.option;
  s.option = function <O extends LuCI.AbstractValue>(this: S, ...args: Parameters<S['option']>): O {
    return keepUntouched((option as (...a: unknown[]) => O).apply(this, args));
  } as S['option'];
  return s;
}
