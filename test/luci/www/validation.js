'use strict';
'require baseclass';

// Stand-in for luci-base's validation.js, with the datatypes the mpwan settings use. As the
// real Validator: an empty value passes when optional; a failure marks the field
// .cbi-input-invalid and dispatches validation-failure (detail.message), a pass removes the mark
// and dispatches validation-success; the custom validate function runs after the datatype.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isIPv6 = (v) => /^[0-9a-fA-F:.]+$/.test(v) && v.includes(':') && (() => { try { new URL(`http://[${v}]/`); return true; } catch (e) { return false; } })();
const isIP = (v) => IPV4.test(v) || isIPv6(v);

const types = {
	string: () => true,
	uinteger: (v) => /^[0-9]+$/.test(v),
	integer: (v) => /^-?[0-9]+$/.test(v),
	ufloat: (v) => /^[0-9]+(\.[0-9]+)?$/.test(v),
	float: (v) => /^-?[0-9]+(\.[0-9]+)?$/.test(v),
	port: (v) => /^[0-9]+$/.test(v) && +v <= 65535,
	ipaddr: (v) => isIP(v),
	host: (v) => isIP(v) || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v),
	cidr: (v) => { const [a, l, ...r] = v.split('/'); return isIP(a) && !r.length && (l === undefined || /^[0-9]{1,3}$/.test(l)); },
	uciname: (v) => /^[a-zA-Z0-9_]+$/.test(v),
	range: (v, min, max) => /^-?[0-9]+(\.[0-9]+)?$/.test(v) && +v >= +min && +v <= +max,
	min: (v, min) => !isNaN(+v) && +v >= +min,
	max: (v, max) => !isNaN(+v) && +v <= +max,
	minlength: (v, n) => String(v).length >= +n,
	maxlength: (v, n) => String(v).length <= +n,
	and: (v, ...fns) => fns.every((f) => f(v)),
	or: (v, ...fns) => fns.some((f) => f(v))
};

/* "and(ufloat,min(0.2),max(3600))" -> value => boolean */
function compile(expr) {
	let pos = 0;
	const term = () => {
		const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*|-?[0-9.]+|'[^']*')\s*/.exec(expr.slice(pos));
		if (!m)
			throw new SyntaxError(`Bad datatype "${expr}"`);
		pos += m[0].length;
		const word = m[1];
		if (!types[word])
			return word.charAt(0) == "'" ? word.slice(1, -1) : word;
		const args = [];
		if (expr.charAt(pos) == '(') {
			pos++;
			while (expr.charAt(pos) != ')') {
				args.push(term());
				if (expr.charAt(pos) == ',') pos++;
			}
			pos++;
		}
		return (v) => types[word](v, ...args);
	};
	const fn = term();
	if (typeof fn != 'function')
		throw new SyntaxError(`Bad datatype "${expr}"`);
	return fn;
}

const Validator = baseclass.extend({
	__init__(field, type, optional, vfunc) {
		this.field = field;
		this.optional = optional;
		this.vfunc = vfunc;
		this.check = compile(type);
		this.type = type;
	},

	validate() {
		const value = (this.field.form == null && this.field.value == null) ? '' : String(this.field.value);
		let error = null;
		if (value === '')
			error = this.optional ? null : _('Expecting: %s').format(_('non-empty value'));
		else if (!this.check(value))
			error = _('Expecting: %s').format(this.type);
		if (error == null) {
			const fns = Array.isArray(this.vfunc) ? this.vfunc : (typeof this.vfunc == 'function' ? [ this.vfunc ] : []);
			for (const fn of fns) {
				const r = fn(value);
				if (r !== true) { error = String(r); break; }
			}
		}
		if (error != null) {
			this.field.classList.add('cbi-input-invalid');
			this.field.dispatchEvent(new CustomEvent('validation-failure', { bubbles: true, detail: { message: error } }));
			return false;
		}
		this.field.classList.remove('cbi-input-invalid');
		this.field.dispatchEvent(new CustomEvent('validation-success', { bubbles: true, detail: { value } }));
		return true;
	}
});

return baseclass.extend({
	create(field, type, optional, vfunc) {
		return new Validator(field, type, optional, vfunc);
	}
});
