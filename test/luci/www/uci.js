'use strict';
'require rpc';
'require baseclass';

// Stand-in for luci-base's uci.js: a local copy of the loaded configs with the edits kept
// apart (creates, changes, deletes, reorder) until save() sends them to rpcd's `uci` object:
// one `delete` per section with deleted options (as an `options` list), one `add` per new
// section, one `set` per section with changed options, then `order`, then a reload.

return baseclass.extend({
	__init__() {
		this.state = { newidx: 0, values: {}, creates: {}, changes: {}, deletes: {}, reorder: {} };
		this.loaded = {};
	},

	callLoad: rpc.declare({ object: 'uci', method: 'get', params: [ 'config' ], expect: { values: {} }, reject: true }),
	callOrder: rpc.declare({ object: 'uci', method: 'order', params: [ 'config', 'sections' ], reject: true }),
	callAdd: rpc.declare({ object: 'uci', method: 'add', params: [ 'config', 'type', 'name', 'values' ], expect: { section: '' }, reject: true }),
	callSet: rpc.declare({ object: 'uci', method: 'set', params: [ 'config', 'section', 'values' ], reject: true }),
	callDelete: rpc.declare({ object: 'uci', method: 'delete', params: [ 'config', 'section', 'options' ], reject: true }),
	callApply: rpc.declare({ object: 'uci', method: 'apply', params: [ 'timeout', 'rollback' ], reject: true }),
	callConfirm: rpc.declare({ object: 'uci', method: 'confirm', reject: true }),

	createSID(conf) {
		const v = this.state.values, n = this.state.creates;
		let sid;
		do { sid = 'new%06x'.format(Math.random() * 0xFFFFFF); }
		while ((n[conf] && n[conf][sid]) || (v[conf] && v[conf][sid]));
		return sid;
	},

	resolveSID(conf, sid) {
		if (typeof sid != 'string')
			return sid;
		const m = /^@([a-zA-Z0-9_-]+)\[(-?[0-9]+)\]$/.exec(sid);
		if (m) {
			const sections = this.sections(conf, m[1]), pos = +m[2];
			const section = sections[pos >= 0 ? pos : sections.length + pos];
			return section ? section['.name'] : null;
		}
		return sid;
	},

	reorderSections() {
		const v = this.state.values, n = this.state.creates, r = this.state.reorder, tasks = [];
		if (Object.keys(r).length === 0)
			return Promise.resolve();
		for (const c in r) {
			const o = [];
			if (n[c]) for (const s in n[c]) o.push(n[c][s]);
			for (const s in v[c]) o.push(v[c][s]);
			if (o.length > 0) {
				o.sort((a, b) => a['.index'] - b['.index']);
				tasks.push(this.callOrder(c, o.map(s => s['.name'])));
			}
		}
		this.state.reorder = {};
		return Promise.all(tasks);
	},

	loadPackage(packageName) {
		if (this.loaded[packageName] == null)
			return (this.loaded[packageName] = this.callLoad(packageName));
		return Promise.resolve(this.loaded[packageName]);
	},

	load(packages) {
		const pkgs = [], tasks = [];
		if (!Array.isArray(packages))
			packages = [ packages ];
		for (let i = 0; i < packages.length; i++)
			if (!this.state.values[packages[i]]) {
				pkgs.push(packages[i]);
				tasks.push(this.loadPackage(packages[i]));
			}
		return Promise.all(tasks).then(responses => {
			for (let i = 0; i < responses.length; i++)
				this.state.values[pkgs[i]] = responses[i];
			if (responses.length)
				document.dispatchEvent(new CustomEvent('uci-loaded'));
			return pkgs;
		});
	},

	unload(packages) {
		if (!Array.isArray(packages))
			packages = [ packages ];
		for (let i = 0; i < packages.length; i++) {
			delete this.state.values[packages[i]];
			delete this.state.creates[packages[i]];
			delete this.state.changes[packages[i]];
			delete this.state.deletes[packages[i]];
			delete this.loaded[packages[i]];
		}
	},

	add(conf, type, name) {
		const n = this.state.creates, sid = name || this.createSID(conf);
		if (!n[conf])
			n[conf] = {};
		n[conf][sid] = { '.type': type, '.name': sid, '.create': name, '.anonymous': !name, '.index': 1000 + this.state.newidx++ };
		return sid;
	},

	remove(conf, sid) {
		const v = this.state.values, n = this.state.creates, c = this.state.changes, d = this.state.deletes;
		if (n[conf] && n[conf][sid]) {
			delete n[conf][sid];
		}
		else if (v[conf] && v[conf][sid]) {
			if (c[conf]) delete c[conf][sid];
			if (!d[conf]) d[conf] = {};
			d[conf][sid] = true;
		}
	},

	sections(conf, type, cb) {
		const sa = [], v = this.state.values[conf], n = this.state.creates[conf], c = this.state.changes[conf], d = this.state.deletes[conf];
		if (!v)
			return sa;
		for (const s in v)
			if (!d || d[s] !== true)
				if (!type || v[s]['.type'] == type)
					sa.push(Object.assign({}, v[s], c ? c[s] : null));
		if (n)
			for (const s in n)
				if (!type || n[s]['.type'] == type)
					sa.push(Object.assign({}, n[s]));
		sa.sort((a, b) => a['.index'] - b['.index']);
		for (let i = 0; i < sa.length; i++)
			sa[i]['.index'] = i;
		if (typeof cb == 'function')
			for (let i = 0; i < sa.length; i++)
				cb.call(this, sa[i], sa[i]['.name']);
		return sa;
	},

	get(conf, sid, opt) {
		const v = this.state.values, n = this.state.creates, c = this.state.changes, d = this.state.deletes;
		sid = this.resolveSID(conf, sid);
		if (sid == null)
			return null;
		if (n[conf] && n[conf][sid])
			return (opt == null) ? n[conf][sid] : n[conf][sid][opt];
		if (opt != null) {
			if (d[conf] && d[conf][sid])
				if (d[conf][sid] === true || d[conf][sid][opt])
					return null;
			if (c[conf] && c[conf][sid] && c[conf][sid][opt] != null)
				return c[conf][sid][opt];
			if (v[conf] && v[conf][sid])
				return v[conf][sid][opt];
			return null;
		}
		if (v[conf]) {
			if (d[conf] && d[conf][sid] === true)
				return null;
			const s = v[conf][sid] || null;
			if (s) {
				if (c[conf] && c[conf][sid])
					for (const o in c[conf][sid])
						if (c[conf][sid][o] != null)
							s[o] = c[conf][sid][o];
				if (d[conf] && d[conf][sid])
					for (const o in d[conf][sid])
						delete s[o];
			}
			return s;
		}
		return null;
	},

	// A value is recorded even when it equals the loaded one (rpcd's set skips those); null or
	// '' deletes, and only an option that exists is recorded as deleted.
	set(conf, sid, opt, val) {
		const v = this.state.values, n = this.state.creates, c = this.state.changes, d = this.state.deletes;
		sid = this.resolveSID(conf, sid);
		if (sid == null || opt == null || opt.charAt(0) == '.')
			return;
		if (n[conf] && n[conf][sid]) {
			if (val != null) n[conf][sid][opt] = val;
			else delete n[conf][sid][opt];
		}
		else if (val != null && val !== '') {
			if (d[conf] && d[conf][sid] === true)
				return;
			if (!v[conf] || !v[conf][sid])
				return;
			if (!c[conf]) c[conf] = {};
			if (!c[conf][sid]) c[conf][sid] = {};
			if (d[conf] && d[conf][sid]) {
				let empty = true;
				for (const key in d[conf][sid])
					if (key != opt && d[conf][sid].hasOwnProperty(key)) { empty = false; break; }
				if (empty) delete d[conf][sid];
				else delete d[conf][sid][opt];
			}
			c[conf][sid][opt] = val;
		}
		else {
			if (c[conf] && c[conf][sid])
				delete c[conf][sid][opt];
			if (v[conf] && v[conf][sid] && v[conf][sid].hasOwnProperty(opt)) {
				if (!d[conf]) d[conf] = {};
				if (!d[conf][sid]) d[conf][sid] = {};
				if (d[conf][sid] !== true) d[conf][sid][opt] = true;
			}
		}
	},

	unset(conf, sid, opt) {
		return this.set(conf, sid, opt, null);
	},

	get_first(conf, type, opt) {
		let sid = null;
		this.sections(conf, type, s => { if (sid == null) sid = s['.name']; });
		return this.get(conf, sid, opt);
	},

	move(conf, sid1, sid2, after) {
		const sa = this.sections(conf);
		let s1 = null, s2 = null;
		sid1 = this.resolveSID(conf, sid1);
		sid2 = this.resolveSID(conf, sid2);
		for (let i = 0; i < sa.length; i++) {
			if (sa[i]['.name'] != sid1) continue;
			s1 = sa[i];
			sa.splice(i, 1);
			break;
		}
		if (s1 == null)
			return false;
		if (sid2 == null) {
			sa.push(s1);
		}
		else {
			for (let i = 0; i < sa.length; i++) {
				if (sa[i]['.name'] != sid2) continue;
				s2 = sa[i];
				sa.splice(i + !!after, 0, s1);
				break;
			}
			if (s2 == null)
				return false;
		}
		for (let i = 0; i < sa.length; i++)
			this.get(conf, sa[i]['.name'])['.index'] = i;
		this.state.reorder[conf] = true;
		return true;
	},

	save() {
		const n = this.state.creates, c = this.state.changes, d = this.state.deletes, r = this.state.reorder;
		const snew = [], pkgs = {}, tasks = [];
		for (const conf in d) {
			for (const sid in d[conf]) {
				const o = d[conf][sid];
				tasks.push(this.callDelete(conf, sid, o === true ? null : Object.keys(o)));
			}
			pkgs[conf] = true;
		}
		for (const conf in n) {
			for (const sid in n[conf]) {
				const p = { config: conf, values: {} };
				for (const k in n[conf][sid]) {
					if (k == '.type') p.type = n[conf][sid][k];
					else if (k == '.create') p.name = n[conf][sid][k];
					else if (k.charAt(0) != '.') p.values[k] = n[conf][sid][k];
				}
				snew.push(n[conf][sid]);
				tasks.push(this.callAdd(p.config, p.type, p.name, p.values));
			}
			pkgs[conf] = true;
		}
		for (const conf in c) {
			for (const sid in c[conf])
				tasks.push(this.callSet(conf, sid, c[conf][sid]));
			pkgs[conf] = true;
		}
		for (const conf in r)
			pkgs[conf] = true;
		return Promise.all(tasks).then(responses => {
			for (let i = 0; i < snew.length; i++)
				snew[i]['.name'] = responses[i];
			return this.reorderSections();
		}).then(() => {
			const names = Object.keys(pkgs);
			this.unload(names);
			return this.load(names);
		});
	},

	apply(timeout) {
		const date = new Date();
		if (typeof timeout != 'number' || timeout < 1)
			timeout = 10;
		return this.callApply(timeout, true).then(rv => {
			if (rv != 0)
				return Promise.reject(rv);
			const deadline = date.getTime() + 1000 * timeout;
			const tryConfirm = () => this.callConfirm().then(rv => {
				if (rv != 0) {
					if (date.getTime() < deadline) window.setTimeout(tryConfirm, 250);
					else return Promise.reject(rv);
				}
				return rv;
			});
			window.setTimeout(tryConfirm, 1000);
		});
	},

	/* rpcd's `uci changes`: { config: [ [op, section, option?, value?], ... ] } */
	changes: rpc.declare({ object: 'uci', method: 'changes', expect: { changes: {} } })
});
