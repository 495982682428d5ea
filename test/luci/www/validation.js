'use strict';
'require baseclass';

// Stand-in for luci-base's validation.js: ValidatorFactory.compile (calls, numbers, quoted
// literals; `,` and `(` split even inside quotes, `\` escapes), the types mpwan's datatypes
// use with their quirks (range/min/max read any decimal, uinteger takes leading zeros,
// lengths count UTF-8 bytes, or/and compare literals with ==) and their messages, and
// Validator.validate: an empty value passes only when optional; a datatype failure reads
// "Expecting: <message>" and the custom validate function runs only after the datatype
// passed (on '' too); a failure marks the field .cbi-input-invalid, sets data-tooltip and
// dispatches validation-failure (detail.message), a pass dispatches validation-success.
// Left out: types no mpwan option uses (MAC, WPA/WEP keys, ranges of addresses, ...).

const bytelen = (x) => new Blob([ x ]).size;

const Validator = baseclass.extend({
	__name__: 'Validation',

	__init__(field, type, optional, vfunc, validatorFactory) {
		this.field = field;
		this.optional = optional;
		this.vfunc = vfunc;
		this.vstack = validatorFactory.compile(type);
		this.factory = validatorFactory;
	},

	assert(condition, message) {
		if (!condition) {
			this.field.classList.add('cbi-input-invalid');
			this.error = message;
			return false;
		}
		this.field.classList.remove('cbi-input-invalid');
		this.error = null;
		return true;
	},

	apply(name, value, args) {
		const func = typeof name === 'function' ? name : this.factory.types[name];
		if (typeof func !== 'function')
			return false;
		if (value != null)
			this.value = value;
		return func.apply(this, args);
	},

	fail(message) {
		this.field.classList.add('cbi-input-invalid');
		this.field.setAttribute('data-tooltip', message);
		this.field.setAttribute('data-tooltip-style', 'error');
		this.field.dispatchEvent(new CustomEvent('validation-failure', { bubbles: true, detail: { message } }));
		return false;
	},

	validate() {
		/* element is detached */
		if (!this.field.closest('body') && !this.field.closest('[data-field]'))
			return true;
		this.field.classList.remove('cbi-input-invalid');
		this.value = (this.field.value != null) ? this.field.value : '';
		this.error = null;
		let valid;
		if (this.value.length === 0)
			valid = this.assert(this.optional, _('non-empty value'));
		else
			valid = this.vstack[0].apply(this, this.vstack[1]);
		if (valid !== true)
			return this.fail(_('Expecting: %s').format(this.error));
		if (typeof this.vfunc == 'function')
			valid = this.vfunc(this.value);
		if (valid !== true) {
			this.assert(false, valid);
			return this.fail(valid);
		}
		this.field.removeAttribute('data-tooltip');
		this.field.removeAttribute('data-tooltip-style');
		this.field.dispatchEvent(new CustomEvent('validation-success', { bubbles: true }));
		return true;
	}
});

const ValidatorFactory = baseclass.extend({
	__name__: 'ValidatorFactory',

	create(field, type, optional, vfunc) {
		return new Validator(field, type, optional, vfunc, this);
	},

	compile(code) {
		const stack = [];
		let pos = 0, esc = false, depth = 0;
		code += ',';
		for (let i = 0; i < code.length; i++) {
			if (esc) { esc = false; continue; }
			const ch = code.charAt(i);
			if (ch == '\\') {
				esc = true;
			}
			else if (ch == '(' || ch == ',') {
				if (depth <= 0) {
					if (pos < i) {
						const label = code.substring(pos, i).replace(/\\(.)/g, '$1').replace(/^[ \t]+/g, '').replace(/[ \t]+$/g, '');
						if (label && !isNaN(label))
							stack.push(parseFloat(label));
						else if (label.match(/^(['"]).*\1$/))
							stack.push(label.replace(/^(['"])(.*)\1$/, '$2'));
						else if (typeof this.types[label] == 'function')
							stack.push(this.types[label], null);
						else
							L.raise('SyntaxError', 'Unhandled token "%s"', label);
					}
					pos = i + 1;
				}
				depth += (ch == '(');
			}
			else if (ch == ')') {
				if (--depth <= 0) {
					if (typeof stack[stack.length - 2] != 'function')
						L.raise('SyntaxError', 'Argument list follows non-function');
					stack[stack.length - 1] = this.compile(code.substring(pos, i));
					pos = i + 1;
				}
			}
		}
		return stack;
	},

	parseInteger(x) { return (/^-?\d+$/.test(x) ? +x : NaN); },
	parseDecimal(x) { return (/^-?\d+(?:\.\d+)?$/.test(x) ? +x : NaN); },

	parseIPv4(x) {
		const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(x);
		if (!m || m.slice(1).some((p) => +p > 255))
			return null;
		return m.slice(1).map(Number);
	},

	// As luci-base: with '::', the groups on both sides (an empty side counting as one) may be
	// at most 7, so '1:2:3:4:5:6:7::' is refused.
	parseIPv6(x) {
		const tail = /^([a-fA-F0-9:]+):(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(x);
		if (tail) {
			const v4 = this.parseIPv4(tail[2]);
			if (!v4)
				return null;
			x = `${tail[1]}:${(v4[0] * 256 + v4[1]).toString(16)}:${(v4[2] * 256 + v4[3]).toString(16)}`;
		}
		if (!/^[a-fA-F0-9:]+$/.test(x))
			return null;
		const halves = x.split(/::/);
		if (halves.length > 2)
			return null;
		const prefix = (halves[0] || '0').split(/:/);
		const suffix = halves.length > 1 ? (halves[1] || '0').split(/:/) : [];
		if (suffix.length ? (prefix.length + suffix.length > 7) : ((halves.length < 2 && prefix.length < 8) || prefix.length > 8))
			return null;
		const words = [];
		const group = (g) => {
			const w = parseInt(g, 16);
			if (g.length > 4 || isNaN(w) || w > 0xFFFF)
				return false;
			words.push(w);
			return true;
		};
		if (!prefix.every(group))
			return null;
		for (let i = 0; i < 8 - prefix.length - suffix.length; i++)
			words.push(0);
		if (!suffix.every(group))
			return null;
		return words;
	},

	types: {
		integer() { return this.assert(!isNaN(this.factory.parseInteger(this.value)), _('valid integer value')); },
		uinteger() { return this.assert(this.factory.parseInteger(this.value) >= 0, _('positive integer value')); },
		float() { return this.assert(!isNaN(this.factory.parseDecimal(this.value)), _('valid decimal value')); },
		ufloat() { return this.assert(this.factory.parseDecimal(this.value) >= 0, _('positive decimal value')); },

		ipaddr(nomask) {
			return this.assert(this.apply('ip4addr', null, [ nomask ]) || this.apply('ip6addr', null, [ nomask ]),
				nomask ? _('valid IP address') : _('valid IP address or prefix'));
		},
		ip4addr(nomask) {
			const m = this.value.match(nomask ? /^(\d+\.\d+\.\d+\.\d+)$/ : /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+\.\d+\.\d+\.\d+)|\/(\d{1,2}))?$/);
			return this.assert(m && this.factory.parseIPv4(m[1]) && (m[2] ? this.factory.parseIPv4(m[2]) : (m[3] ? this.apply('ip4prefix', m[3]) : true)),
				nomask ? _('valid IPv4 address') : _('valid IPv4 address or network'));
		},
		ip6addr(nomask) {
			const m = this.value.match(nomask ? /^([0-9a-fA-F:.]+)$/ : /^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/);
			return this.assert(m && this.factory.parseIPv6(m[1]) && (m[2] ? this.apply('ip6prefix', m[2]) : true),
				nomask ? _('valid IPv6 address') : _('valid IPv6 address or prefix'));
		},
		ip4prefix() { return this.assert(!isNaN(this.value) && this.value >= 0 && this.value <= 32, _('valid IPv4 prefix value (0-32)')); },
		ip6prefix() { return this.assert(!isNaN(this.value) && this.value >= 0 && this.value <= 128, _('valid IPv6 prefix value (0-128)')); },
		cidr(negative) {
			return this.assert(this.apply('cidr4', null, [ negative ]) || this.apply('cidr6', null, [ negative ]), _('valid IPv4 or IPv6 CIDR'));
		},
		cidr4(negative) {
			const m = this.value.match(/^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\/(-)?(\d{1,2})$/);
			return this.assert(m && this.factory.parseIPv4(m[1]) && (negative || !m[2]) && this.apply('ip4prefix', m[3]), _('valid IPv4 CIDR'));
		},
		cidr6(negative) {
			const m = this.value.match(/^([0-9a-fA-F:.]+)\/(-)?(\d{1,3})$/);
			return this.assert(m && this.factory.parseIPv6(m[1]) && (negative || !m[2]) && this.apply('ip6prefix', m[3]), _('valid IPv6 CIDR'));
		},
		port() {
			const p = this.factory.parseInteger(this.value);
			return this.assert(p >= 0 && p <= 65535, _('valid port value'));
		},
		host(ipv4only) {
			return this.assert(this.apply('hostname') || this.apply(ipv4only == 1 ? 'ip4addr' : 'ipaddr', null, [ 'nomask' ]),
				_('valid hostname or IP address'));
		},
		hostname(strict) {
			if (this.value.length <= 253)
				return this.assert(
					(this.value.match(/^[a-zA-Z0-9_]+$/) != null ||
						(this.value.match(/^[a-zA-Z0-9_][a-zA-Z0-9_\-.]*[a-zA-Z0-9]\.?$/) && this.value.match(/[^0-9.]/))) &&
					(!strict || !this.value.match(/^_/)),
					_('valid hostname'));
			return this.assert(false, _('valid hostname'));
		},
		uciname() { return this.assert(this.value.match(/^[a-zA-Z0-9_]+$/), _('valid UCI identifier')); },

		range(min, max) {
			const val = this.factory.parseDecimal(this.value);
			return this.assert(val >= +min && val <= +max, _('value between %f and %f').format(min, max));
		},
		min(min) { return this.assert(this.factory.parseDecimal(this.value) >= +min, _('value greater or equal to %f').format(min)); },
		max(max) { return this.assert(this.factory.parseDecimal(this.value) <= +max, _('value smaller or equal to %f').format(max)); },
		length(len) { return this.assert(bytelen(this.value) == +len, _('value with %d characters').format(len)); },
		rangelength(min, max) {
			const len = bytelen(this.value);
			return this.assert((len >= +min) && (len <= +max), _('value between %d and %d characters').format(min, max));
		},
		minlength(min) { return this.assert(bytelen(this.value) >= +min, _('value with at least %d characters').format(min)); },
		maxlength(max) { return this.assert(bytelen(this.value) <= +max, _('value with at most %d characters').format(max)); },

		or(...args) {
			const errors = [];
			for (let i = 0; i < args.length; i += 2) {
				if (typeof args[i] != 'function') {
					if (args[i] == this.value)
						return this.assert(true);
					errors.push('"%s"'.format(args[i]));
					i--;
				}
				else if (args[i].apply(this, args[i + 1])) {
					return this.assert(true);
				}
				else {
					errors.push(this.error);
				}
			}
			return this.assert(false, _('One of the following: %s').format(`\n - ${errors.join('\n - ')}`));
		},
		and(...args) {
			for (let i = 0; i < args.length; i += 2) {
				if (typeof args[i] != 'function') {
					if (args[i] != this.value)
						return this.assert(false, '"%s"'.format(args[i]));
					i--;
				}
				else if (!args[i].apply(this, args[i + 1])) {
					return this.assert(false, this.error);
				}
			}
			return this.assert(true);
		},
		neg(...args) {
			this.value = this.value.replace(/^[ \t]*![ \t]*/, '');
			if (args[0].apply(this, args[1]))
				return this.assert(true);
			return this.assert(false, _('Potential negation of: %s').format(this.error));
		},
		list(subvalidator, subargs) {
			this.field.setAttribute('data-is-list', 'true');
			const tokens = this.value.match(/[^ \t]+/g);
			for (let i = 0; i < (tokens ?? []).length; i++)
				if (!this.apply(subvalidator, tokens[i], subargs))
					return this.assert(false, this.error);
			return this.assert(true);
		},
		hexstring() { return this.assert(this.value.match(/^([a-fA-F0-9]{2})+$/i), _('hexadecimal encoded value')); },
		string() { return true; }
	}
});

return ValidatorFactory;
