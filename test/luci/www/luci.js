// A LuCI stand-in for the browser tests: the parts of luci-base's client framework the mpwan
// views use (class system, view, form, rpc, poll, ui, dom, uci, tools.widgets), with the
// same calling conventions and reply handling. Views are loaded exactly as luci.js loads
// class files: fetch, read the leading 'require' literals, eval the text as the body of
// function(window, document, L, <modules>), check that it returns a class, instantiate it.
// Plain JavaScript because it runs as-is in the browser, like the real luci.js.
(function (window, document) {
	'use strict';

	/* ---- class system (luci.js Class) ---- */
	function Class() {}
	Class.extend = function (props) {
		const Parent = this;
		function C() { if (typeof this.__init__ === 'function') this.__init__.apply(this, arguments); }
		C.prototype = Object.assign(Object.create(Parent.prototype), props);
		C.prototype.constructor = C;
		C.prototype.super = function (key, args) { return Parent.prototype[key].apply(this, args || []); };
		C.extend = Class.extend;
		C.isSubclass = Class.isSubclass;
		return C;
	};
	Class.isSubclass = function (c) { return typeof c === 'function' && c.prototype instanceof Class; };

	/* ---- String.prototype.format: %s %d %f %.Nf %% ---- */
	String.prototype.format = function () {
		const args = arguments;
		let i = 0;
		return this.replace(/%(\.(\d+))?([sdf%])/g, function (m, _p, prec, t) {
			if (t === '%') return '%';
			const v = args[i++];
			if (t === 'd') return Math.floor(+v || 0).toFixed(0);
			if (t === 'f') return prec != null ? (+v || 0).toFixed(+prec) : String(+v || 0);
			return v == null ? '' : String(v);
		});
	};

	/* ---- dom ---- */
	function flatten(children, out) {
		if (children == null || children === false) return out;
		if (Array.isArray(children)) { children.forEach(function (c) { flatten(c, out); }); return out; }
		out.push(children instanceof Node ? children : document.createTextNode(String(children)));
		return out;
	}
	const dom = {
		create: function (tag, attrs, children) {
			if (Array.isArray(attrs) || attrs instanceof Node || typeof attrs !== 'object' || attrs === null) { children = attrs; attrs = {}; }
			const el = document.createElement(tag);
			for (const k in attrs) {
				const v = attrs[k];
				if (v == null || v === false) continue;
				if (typeof v === 'function') el.addEventListener(k, v);
				else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
				else el.setAttribute(k, v === true ? '' : String(v));
			}
			return dom.append(el, children);
		},
		append: function (node, children) { flatten(children, []).forEach(function (c) { node.appendChild(c); }); return node; },
		content: function (node, children) { while (node.firstChild) node.removeChild(node.firstChild); return dom.append(node, children); },
		elem: function (e) { return e != null && typeof e === 'object' && e.nodeType === 1; },
	};
	window.E = dom.create;

	/* ---- translations: none loaded, msgid is the text ---- */
	window._ = function (s) { return s; };
	window.N_ = function (n, s, p) { return n === 1 ? s : p; };

	/* ---- L ---- */
	const classes = {};
	const L = {
		env: { pollinterval: 5, sessionid: window.LUCI_SESSION, base_url: '/luci-static/resources' },
		Class: Class,
		resolveDefault: function (p, d) { return Promise.resolve(p).catch(function () { return d; }); },
		bind: function (fn, self) { return Function.prototype.bind.apply(fn, [self].concat([].slice.call(arguments, 2))); },
		error: function (e) {
			const err = e instanceof Error ? e : new Error(String(e));
			if (!err.reported) { ui.addNotification(err.name || 'Runtime error', E('pre', {}, err.message), 'danger'); err.reported = true; }
			throw err;
		},
		require: function (name) {
			if (classes[name]) return Promise.resolve(classes[name]);
			const url = L.env.base_url + '/' + name.replace(/\./g, '/') + '.js';
			classes[name] = fetch(url).then(function (res) {
				if (!res.ok) throw new Error('HTTP error ' + res.status + ' while loading class file "' + url + '"');
				return res.text();
			}).then(function (source) {
				// The scan luci.js does: string literals at the start, 'use strict' or 'require x [as y]'.
				const requirematch = /^require[ \t]+(\S+)(?:[ \t]+as[ \t]+([a-zA-Z_]\S*))?$/, strictmatch = /^use[ \t]+strict$/;
				const depends = [], args = [];
				for (let i = 0, off = -1, quote = -1, esc = false; i < source.length; i++) {
					const chr = source.charCodeAt(i);
					if (esc) esc = false;
					else if (chr === 92) esc = true;
					else if (chr === quote) {
						const s = source.substring(off, i), m = requirematch.exec(s);
						if (m) { depends.push(L.require(m[1])); args.push(m[2] || m[1].replace(/[^a-zA-Z0-9_]/g, '_')); }
						else if (!strictmatch.exec(s)) break;
						off = -1; quote = -1;
					}
					else if (quote === -1 && (chr === 34 || chr === 39)) { off = i + 1; quote = chr; }
				}
				return Promise.all(depends).then(function (instances) {
					const factory = eval('(function(window, document, L, ' + args.join(', ') + ') { ' + source + ' })\n//# sourceURL=' + url);
					const cls = factory.apply(factory, [window, document, L].concat(instances));
					if (!Class.isSubclass(cls)) throw new TypeError('"' + name + '" factory yields invalid constructor');
					return (classes[name] = new cls());
				});
			});
			return classes[name];
		},
	};
	window.L = L;

	/* ---- rpc (rpc.js: JSON-RPC 2.0 'call' to /ubus, expect/filter/reject) ---- */
	let rpcId = 1;
	const rpc = {
		getStatusText: function (code) {
			return ['Command OK', 'Invalid command', 'Invalid argument', 'Method not found', 'Resource not found', 'No data received',
				'Permission denied', 'Request timeout', 'Not supported', 'Unspecified error', 'Connection lost'][code] || 'Unknown error code';
		},
		call: function (object, method, args) {
			const body = { jsonrpc: '2.0', id: rpcId++, method: 'call', params: [L.env.sessionid, object, method, args] };
			return fetch('/ubus/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
				.then(function (r) { return r.json(); })
				.then(function (msg) {
					if (msg.error) throw new Error('RPC call to ' + object + '/' + method + ' failed with error ' + msg.error.code + ': ' + msg.error.message);
					return msg.result;
				});
		},
		declare: function (d) {
			return function () {
				const args = {};
				for (let i = 0; i < (d.params || []).length; i++) if (arguments[i] !== undefined) args[d.params[i]] = arguments[i];
				const callArgs = arguments;
				return rpc.call(d.object, d.method, args).then(function (result) {
					if (d.reject && result[0] !== 0)
						throw new Error('RPC call to ' + d.object + '/' + d.method + ' failed with ubus code ' + result[0] + ': ' + rpc.getStatusText(result[0]));
					let ret = result.length > 1 ? result[1] : result[0];
					if (d.expect) {
						for (const key in d.expect) {
							if (ret != null && key !== '') ret = ret[key];
							const want = d.expect[key];
							if (ret == null || (want != null && typeof ret !== typeof want)) ret = want;
							break;
						}
					}
					return d.filter ? d.filter(ret, callArgs) : ret;
				});
			};
		},
	};

	/* ---- poll (luci.js Poll: a 1 s tick; fn runs every `interval` ticks, never overlapping) ---- */
	const poll = {
		queue: [], tick: 0, timer: null,
		add: function (fn, interval) {
			if (this.queue.some(function (e) { return e.fn === fn; })) return false;
			this.queue.push({ fn: fn, i: (interval || L.env.pollinterval) >>> 0, r: true });
			this.start();
			return true;
		},
		remove: function (fn) { this.queue = this.queue.filter(function (e) { return e.fn !== fn; }); return true; },
		start: function () {
			if (this.timer) return false;
			this.timer = setInterval(function () { poll.step(); }, 1000);
			return true;
		},
		stop: function () { clearInterval(this.timer); this.timer = null; return true; },
		active: function () { return this.timer != null; },
		step: function () {
			poll.tick++;
			poll.queue.forEach(function (e) {
				if (poll.tick % e.i !== 0 || !e.r) return;
				e.r = false;
				Promise.resolve().then(e.fn).catch(function () {}).finally(function () { e.r = true; });
			});
		},
	};

	/* ---- ui ---- */
	const ui = {
		addNotification: function (title, children) {
			const classes = [].slice.call(arguments, 2);
			const n = E('div', { class: 'alert-message fade-in ' + classes.join(' ') }, [
				E('div', { style: 'float:right' }, E('button', { class: 'btn', click: function () { n.remove(); } }, 'Dismiss')),
				title ? E('h4', {}, title) : null,
				children,
			]);
			document.getElementById('maincontent').prepend(n);
			return n;
		},
		showModal: function (title, children) {
			const m = E('div', { id: 'modal_overlay' }, E('div', { class: 'modal' }, [title ? E('h4', {}, title) : null, children]));
			document.body.appendChild(m);
			return m;
		},
		hideModal: function () { const m = document.getElementById('modal_overlay'); if (m) m.remove(); },
		changes: {
			// ui.changes.apply: `uci apply` (with rollback when checked), then `uci confirm`.
			apply: function (checked) {
				return rpc.call('uci', 'apply', { rollback: !!checked, timeout: 30 }).then(function (r) {
					if (r[0] !== 0) throw new Error('Apply request failed with status ' + r[0]);
					return checked ? rpc.call('uci', 'confirm', {}) : r;
				}).then(function () {
					ui.addNotification(null, E('p', { id: 'applied' }, 'Configuration changes have been applied.'), 'notice');
				}).catch(L.error);
			},
		},
	};

	/* ---- uci (uci.js over the rpcd `uci` object: get on load, set/add/delete on save) ---- */
	const uci = {
		state: { values: {}, changes: [] },
		load: function (config) {
			const configs = [].concat(config);
			return Promise.all(configs.map(function (c) {
				return rpc.call('uci', 'get', { config: c }).then(function (r) { uci.state.values[c] = r[0] === 0 ? r[1].values : {}; });
			})).then(function () { uci.state.changes = []; return configs; });
		},
		get: function (conf, sid, opt) {
			const s = (uci.state.values[conf] || {})[sid];
			if (!s) return null;
			return opt == null ? s : s[opt];
		},
		set: function (conf, sid, opt, val) {
			const s = (uci.state.values[conf] || {})[sid];
			if (!s) return;
			if (val == null || val === '' || (Array.isArray(val) && !val.length)) return uci.unset(conf, sid, opt);
			s[opt] = val;
			uci.state.changes.push(['set', conf, sid, opt, val]);
		},
		unset: function (conf, sid, opt) {
			const s = (uci.state.values[conf] || {})[sid];
			if (!s || !(opt in s)) return;
			delete s[opt];
			uci.state.changes.push(['unset', conf, sid, opt]);
		},
		sections: function (conf, type) {
			const v = uci.state.values[conf] || {};
			return Object.keys(v).map(function (k) { return v[k]; })
				.filter(function (s) { return !type || s['.type'] === type; })
				.sort(function (a, b) { return a['.index'] - b['.index']; });
		},
		add: function (conf, type, name) {
			const v = uci.state.values[conf];
			const sid = name || 'new' + Math.random().toString(16).slice(2, 8);
			v[sid] = { '.name': sid, '.type': type, '.anonymous': !name, '.index': Object.keys(v).length };
			uci.state.changes.push(['add', conf, sid, type, !!name]);
			return sid;
		},
		remove: function (conf, sid) {
			delete uci.state.values[conf][sid];
			uci.state.changes.push(['remove', conf, sid]);
		},
		save: function () {
			const changes = uci.state.changes;
			uci.state.changes = [];
			return changes.reduce(function (p, c) {
				return p.then(function () {
					if (c[0] === 'set') { const values = {}; values[c[3]] = c[4]; return rpc.call('uci', 'set', { config: c[1], section: c[2], values: values }); }
					if (c[0] === 'unset') return rpc.call('uci', 'delete', { config: c[1], section: c[2], option: c[3] });
					if (c[0] === 'add') return rpc.call('uci', 'add', { config: c[1], type: c[3], name: c[4] ? c[2] : undefined });
					return rpc.call('uci', 'delete', { config: c[1], section: c[2] });
				});
			}, Promise.resolve());
		},
	};

	/* ---- form (form.js: Map -> sections -> options; parse writes changed values) ---- */
	const DATATYPES = {
		uinteger: function (v) { return /^[0-9]+$/.test(v); },
		port: function (v) { return /^[0-9]+$/.test(v) && +v <= 65535; },
		host: function (v) { return /^[A-Za-z0-9.:-]+$/.test(v); },
		cidr: function (v) { return /^[0-9A-Fa-f.:]+(\/[0-9]{1,3})?$/.test(v); },
	};
	function checkDatatype(dt, v) {
		if (!dt || v === '' || v == null) return true;
		const range = /^range\((\d+),(\d+)\)$/.exec(dt);
		if (range) return /^[0-9]+$/.test(v) && +v >= +range[1] && +v <= +range[2];
		return DATATYPES[dt] ? DATATYPES[dt](v) : true;
	}

	const AbstractValue = Class.extend({
		__init__: function (map, section, option, title, description) {
			Object.assign(this, { map: map, section: section, option: option, title: title || option, description: description || '',
				datatype: null, default: null, rmempty: true, placeholder: '', editable: false, modalonly: null, password: false,
				keylist: [], vallist: [], widgets: {} });
		},
		depends: function () {},
		value: function (k, label) { this.keylist.push(k); this.vallist.push(label || k); },
		cfgvalue: function (sid) { return uci.get(this.map.config, sid, this.option); },
		validate: function () { return true; },
		write: function (sid, v) { uci.set(this.map.config, sid, this.option, v); },
		remove: function (sid) { uci.unset(this.map.config, sid, this.option); },
		textvalue: function (sid) { const v = this.cfgvalue(sid); return v == null ? (this.default || '-') : String(v); },
		current: function (sid) { const v = this.cfgvalue(sid); return v == null ? this.default : v; },
		renderWidget: function (sid) {
			const v = this.current(sid);
			return E('input', { type: this.password ? 'password' : 'text', class: 'cbi-input-text', value: v == null ? '' : String(v), placeholder: this.placeholder });
		},
		render: function (sid) { return (this.widgets[sid] = this.renderWidget(sid)); },
		formvalue: function (sid) { const w = this.widgets[sid]; return w ? w.value : null; },
		parse: function (sid) {
			const w = this.widgets[sid];
			if (!w) return;
			const fval = this.formvalue(sid);
			const ok = checkDatatype(this.datatype, fval) ? this.validate(sid, fval) : 'Expecting: ' + this.datatype;
			w.classList.toggle('cbi-input-invalid', ok !== true);
			if (ok !== true) throw new Error(this.title + ': ' + ok);
			const cval = this.cfgvalue(sid);
			const empty = fval == null || fval === '' || (Array.isArray(fval) && !fval.length);
			if (empty && this.rmempty) { if (cval != null) this.remove(sid); }
			else if (JSON.stringify(fval) !== JSON.stringify(cval == null ? null : cval)) this.write(sid, fval);
		},
	});
	const Value = AbstractValue.extend({});
	const DummyValue = AbstractValue.extend({ renderWidget: function (sid) { return E('span', {}, this.textvalue(sid)); }, parse: function () {} });
	const ListValue = AbstractValue.extend({
		renderWidget: function (sid) {
			const cur = this.current(sid) == null ? this.keylist[0] : this.current(sid);
			const self = this;
			return E('select', { class: 'cbi-input-select', name: this.option }, this.keylist.map(function (k, i) {
				return E('option', { value: k, selected: k === cur }, self.vallist[i]);
			}));
		},
	});
	const Flag = AbstractValue.extend({
		renderWidget: function (sid) {
			const v = this.current(sid);
			return E('input', { type: 'checkbox', class: 'cbi-input-checkbox', checked: v === '1' || v === 1 });
		},
		formvalue: function (sid) { const w = this.widgets[sid]; return w ? (w.checked ? '1' : '0') : null; },
		parse: function (sid) {
			if (!this.widgets[sid]) return;
			const fval = this.formvalue(sid), cval = this.cfgvalue(sid), dflt = this.default == null ? '0' : String(this.default);
			if (this.rmempty && fval === dflt) { if (cval != null) this.remove(sid); }
			else if (fval !== cval) this.write(sid, fval);
		},
	});
	// Lists as one space-separated text field (the real widgets are richer; the values match).
	const DynamicList = AbstractValue.extend({
		renderWidget: function (sid) {
			const v = this.current(sid);
			return E('input', { type: 'text', class: 'cbi-input-text', value: [].concat(v || []).join(' '), placeholder: this.placeholder });
		},
		formvalue: function (sid) { const w = this.widgets[sid]; return w ? w.value.split(/\s+/).filter(Boolean) : null; },
		parse: function (sid) {
			const w = this.widgets[sid];
			if (!w) return;
			const fval = this.formvalue(sid), self = this;
			if (!fval.every(function (x) { return checkDatatype(self.datatype, x); })) throw new Error(this.title + ': Expecting: ' + this.datatype);
			const cval = [].concat(this.cfgvalue(sid) || []);
			if (!fval.length) { if (cval.length) this.remove(sid); }
			else if (JSON.stringify(fval) !== JSON.stringify(cval)) this.write(sid, fval);
		},
	});
	const NetworkSelect = DynamicList.extend({
		__init__: function () { DynamicList.prototype.__init__.apply(this, arguments); this.multiple = false; this.nocreate = false; },
		formvalue: function (sid) { const v = DynamicList.prototype.formvalue.call(this, sid); return this.multiple ? v : (v && v[0]) || ''; },
	});

	const AbstractSection = Class.extend({
		__init__: function (map, sectiontype, title, description) {
			Object.assign(this, { map: map, sectiontype: sectiontype, title: title || '', description: description || '', children: [], tabs: [],
				addremove: false, anonymous: false, nodescriptions: false, addbtntitle: 'Add' });
		},
		tab: function (name, title) { this.tabs.push({ name: name, title: title }); },
		option: function (cls, name, title, description) {
			const o = new cls(this.map, this, name, title, description);
			this.children.push(o);
			return o;
		},
		taboption: function (tab, cls, name, title, description) { const o = this.option(cls, name, title, description); o.tab = tab; return o; },
		cfgsections: function () { return uci.sections(this.map.config, this.sectiontype).map(function (s) { return s['.name']; }); },
		parse: function () { const self = this; this.cfgsections().forEach(function (sid) { self.children.forEach(function (o) { o.parse(sid); }); }); },
		renderOptions: function (sid, children) {
			return children.map(function (o) {
				return E('div', { class: 'cbi-value', 'data-name': o.option }, [
					E('label', { class: 'cbi-value-title' }, o.title),
					E('div', { class: 'cbi-value-field' }, [o.render(sid), o.description ? E('div', { class: 'cbi-value-description' }, o.description) : null]),
				]);
			});
		},
		renderSection: function (sid) {
			const self = this;
			const groups = this.tabs.length
				? this.tabs.map(function (t) { return E('div', { class: 'cbi-tab', 'data-tab': t.name }, [E('h4', {}, t.title), self.renderOptions(sid, self.children.filter(function (o) { return o.tab === t.name; }))]); })
				: this.renderOptions(sid, this.children);
			return E('div', { class: 'cbi-section-node', id: 'cbi-' + this.map.config + '-' + sid }, [
				this.anonymous ? null : E('h4', {}, sid),
				groups,
				this.addremove ? E('button', { class: 'cbi-button cbi-button-remove', click: function () { uci.remove(self.map.config, sid); self.map.rerender(); } }, 'Delete') : null,
			]);
		},
		renderAdd: function () {
			if (!this.addremove) return null;
			const self = this;
			const name = this.anonymous ? null : E('input', { type: 'text', class: 'cbi-section-create-name' });
			return E('div', { class: 'cbi-section-create' }, [name, E('button', { class: 'cbi-button cbi-button-add', click: function () {
				if (name && !/^[A-Za-z0-9_]+$/.test(name.value)) return;
				uci.add(self.map.config, self.sectiontype, name ? name.value : undefined);
				self.map.rerender();
			} }, this.addbtntitle)]);
		},
		render: function () {
			return E('div', { class: 'cbi-section', id: 'cbi-' + this.map.config + '-' + this.sectiontype }, [
				this.title ? E('h3', {}, this.title) : null,
				this.description ? E('div', { class: 'cbi-section-descr' }, this.description) : null,
				this.cfgsections().map(this.renderSection, this),
				this.renderAdd(),
			]);
		},
	});
	const TypedSection = AbstractSection.extend({});
	const NamedSection = AbstractSection.extend({
		__init__: function (map, sid, type, title, description) { AbstractSection.prototype.__init__.call(this, map, type, title, description); this.sid = sid; },
		cfgsections: function () { return uci.get(this.map.config, this.sid) ? [this.sid] : []; },
	});
	// A table: one row per section, one column per option (editable cells).
	const GridSection = TypedSection.extend({
		render: function () {
			const self = this, cols = this.children.filter(function (o) { return !o.modalonly; });
			return E('div', { class: 'cbi-section', id: 'cbi-' + this.map.config + '-' + this.sectiontype }, [
				this.title ? E('h3', {}, this.title) : null,
				this.description ? E('div', { class: 'cbi-section-descr' }, this.description) : null,
				E('table', { class: 'table cbi-section-table' }, [
					E('tr', { class: 'tr table-titles' }, [this.anonymous ? null : E('th', { class: 'th' }, 'Name')].concat(cols.map(function (o) { return E('th', { class: 'th' }, o.title); })).concat([E('th', {})])),
					this.cfgsections().map(function (sid) {
						return E('tr', { class: 'tr cbi-section-table-row', 'data-sid': sid }, [self.anonymous ? null : E('td', { class: 'td cbi-section-table-titles' }, sid)]
							.concat(cols.map(function (o) { return E('td', { class: 'td cbi-value-field', 'data-name': o.option }, o.editable ? o.render(sid) : o.textvalue(sid)); }))
							.concat([E('td', {}, self.addremove ? E('button', { class: 'cbi-button cbi-button-remove', click: function () { uci.remove(self.map.config, sid); self.map.rerender(); } }, 'Delete') : null)]));
					}),
				]),
				this.renderAdd(),
			]);
		},
	});

	const FormMap = Class.extend({
		__init__: function (config, title, description) {
			Object.assign(this, { config: config, title: title || '', description: description || '', children: [], root: null });
		},
		section: function (cls) {
			const s = new (Function.prototype.bind.apply(cls, [null, this].concat([].slice.call(arguments, 1))))();
			this.children.push(s);
			return s;
		},
		chain: function () {},
		renderContents: function () {
			return [this.title ? E('h2', {}, this.title) : null, this.description ? E('div', { class: 'cbi-map-descr' }, this.description) : null]
				.concat(this.children.map(function (s) { return s.render(); }));
		},
		render: function () {
			const self = this;
			return uci.load(this.config).then(function () {
				self.root = E('div', { class: 'cbi-map', id: 'cbi-' + self.config }, self.renderContents());
				self.root.__map = self;
				return self.root;
			});
		},
		rerender: function () { dom.content(this.root, this.renderContents()); },
		save: function () {
			const self = this;
			try { this.children.forEach(function (s) { s.parse(); }); }
			catch (e) { ui.addNotification(null, E('p', {}, 'Some fields are invalid, cannot save values! ' + e.message), 'danger'); return Promise.reject(e); }
			return uci.save().then(function () { return uci.load(self.config); }).then(function () { self.rerender(); });
		},
	});

	const form = { Map: FormMap, TypedSection: TypedSection, NamedSection: NamedSection, GridSection: GridSection,
		Value: Value, ListValue: ListValue, Flag: Flag, DynamicList: DynamicList, DummyValue: DummyValue };

	/* ---- view (view.js in luci.js: load -> render -> #view, plus the Save/Apply footer) ---- */
	const View = Class.extend({
		__init__: function () {
			const vp = document.getElementById('view'), self = this;
			dom.content(vp, E('div', { class: 'spinning' }, 'Loading view…'));
			return Promise.resolve(this.load()).then(function (data) { return self.render(data); }).then(function (nodes) {
				dom.content(vp, [nodes, self.addFooter()]);
				vp.setAttribute('data-rendered', String(performance.now()));
			}).catch(L.error);
		},
		load: function () {},
		render: function () {},
		handleSave: function () {
			const maps = [].slice.call(document.querySelectorAll('#maincontent .cbi-map'));
			return Promise.all(maps.map(function (m) { return m.__map.save(); }));
		},
		handleSaveApply: function (ev, mode) { return this.handleSave(ev).then(function () { return ui.changes.apply(mode == '0'); }); },
		handleReset: function () { location.reload(); },
		addFooter: function () {
			const self = this, btn = function (handler, cls, label) {
				return self[handler] ? E('button', { class: 'cbi-button ' + cls, click: function (ev) { self[handler](ev).catch(function () {}); } }, label) : null;
			};
			if (!this.handleSave && !this.handleSaveApply && !this.handleReset) return null;
			return E('div', { class: 'cbi-page-actions' }, [
				btn('handleSaveApply', 'cbi-button-apply', 'Save & Apply'), btn('handleSave', 'cbi-button-save', 'Save'), btn('handleReset', 'cbi-button-reset', 'Reset'),
			]);
		},
	});

	// The framework's own classes are preloaded instances, as luci.js has them after boot.
	const baseclass = Class;
	Object.assign(classes, { baseclass: baseclass, view: View, form: form, rpc: rpc, poll: poll, ui: ui, dom: dom, uci: uci,
		'tools.widgets': { NetworkSelect: NetworkSelect } });
	Object.keys(classes).forEach(function (k) { classes[k] = Promise.resolve(classes[k]); });
	L.ui = ui;
	L.dom = dom;
})(window, document);
