// Stand-in for luci-base's luci.js (openwrt/luci, modules/luci-base/htdocs/luci-static/
// resources/luci.js) in the browser tests. The project cannot ship LuCI, so this re-implements
// the parts the mpwan views depend on with the same semantics, each naming the real function it
// follows: the class system, the class-file loader, request batching, the poll loop, dom, the
// session store and the view base class. rpc, uci, ui, form, validation and tools.widgets are
// class files beside it, loaded by the loader as luci.js loads the real ones.
// Plain JavaScript: the browser runs it as is, like the real file.
((window, document) => {
	'use strict';

	const env = {};

	/* ---- cbi.js String.prototype.format: printf with %s %d %u %f %x %X %o %b %c %h %q %t %m ---- */
	const htmlEsc = [/&/g, '&#38;', /"/g, '&#34;', /'/g, '&#39;', /</g, '&#60;', />/g, '&#62;'];
	const quotEsc = [/"/g, '&#34;', /'/g, '&#39;'];
	function esc(s, r) {
		const t = typeof s;
		if (s == null || t === 'object' || t === 'function')
			return '';
		s = String(s);
		for (let i = 0; i < r.length; i += 2)
			s = s.replace(r[i], r[i + 1]);
		return s;
	}
	String.prototype.format = function(...args) {
		const re = /^(([^%]*)%('.|0|\x20)?(-)?(\d+)?(\.\d+)?(%|b|c|d|u|f|o|s|x|X|q|h|j|t|m))/;
		let str = String(this), out = '', a, n = 0;
		while ((a = re.exec(str)) != null) {
			const [, m, leftpart, pPad, pJustify, pMinLength, pPrecision, pType] = a;
			let subst = '';
			if (pType == '%')
				subst = '%';
			else if (n < args.length) {
				const param = args[n++];
				const pad = pPad ? (pPad.charAt(0) == "'" ? pPad.charAt(1) : pPad) : ' ';
				const precision = (pPrecision && pType == 'f') ? +pPrecision.substring(1) : -1;
				switch (pType) {
				case 'b': subst = Math.floor(+param || 0).toString(2); break;
				case 'c': subst = String.fromCharCode(+param || 0); break;
				case 'd': subst = Math.floor(+param || 0).toFixed(0); break;
				case 'u': { const v = +param || 0; subst = Math.floor(v < 0 ? 0x100000000 + v : v).toFixed(0); break; }
				case 'f': subst = precision > -1 ? (+param || 0).toFixed(precision) : (+param || 0); break;
				case 'o': subst = Math.floor(+param || 0).toString(8); break;
				case 's': subst = param; break;
				case 'x': subst = Math.floor(+param || 0).toString(16).toLowerCase(); break;
				case 'X': subst = Math.floor(+param || 0).toString(16).toUpperCase(); break;
				case 'h': subst = esc(param, htmlEsc); break;
				case 'q': subst = esc(param, quotEsc); break;
				case 't': {
					let ts = param || 0, tm = 0, th = 0, td = 0;
					if (ts > 59) { tm = Math.floor(ts / 60); ts = ts % 60; }
					if (tm > 59) { th = Math.floor(tm / 60); tm = tm % 60; }
					if (th > 23) { td = Math.floor(th / 24); th = th % 24; }
					subst = td > 0 ? '%dd %dh %dm %ds'.format(td, th, tm, ts) : '%dh %dm %ds'.format(th, tm, ts);
					break;
				}
				case 'm': {
					const mf = pMinLength ? +pMinLength : 1000, pr = pPrecision ? ~~(10 * +('0' + pPrecision)) : 2;
					const units = [' ', ' K', ' M', ' G', ' T', ' P', ' E'];
					let v = +param || 0, i = 0;
					for (; i < units.length && v > mf; i++) v /= mf;
					subst = i ? v.toFixed(pr) + units[i] + (mf == 1024 ? 'i' : '') : v + ' ';
					break;
				}
				}
				subst = String(subst);
				if (pMinLength && pType != 'm')
					while (subst.length < +pMinLength)
						subst = pJustify == '-' ? subst + ' ' : pad + subst;
			}
			out += leftpart + subst;
			str = str.substr(m.length);
		}
		return out + str;
	};

	/* ---- Class (luci.js Class: extend, singleton, instantiate, isSubclass, super) ---- */
	const toCamelCase = s => s.replace(/(?:^|[\. -])(.)/g, (m0, m1) => m1.toUpperCase());
	const superContext = {};
	let classIndex = 0;

	const Class = Object.assign(function() {}, {
		extend(properties) {
			const props = {
				__id__: { value: classIndex },
				__base__: { value: this.prototype },
				__name__: { value: properties.__name__ ?? `anonymous${classIndex++}` }
			};
			const ClassConstructor = function() {
				if (!(this instanceof ClassConstructor))
					throw new TypeError('Constructor must not be called without "new"');
				if (Object.getPrototypeOf(this).hasOwnProperty('__init__')) {
					if (typeof this.__init__ != 'function')
						throw new TypeError('Class __init__ member is not a function');
					this.__init__.apply(this, arguments);
				}
				else {
					this.super('__init__', arguments);
				}
			};
			for (const key in properties)
				if (!props[key] && properties.hasOwnProperty(key))
					props[key] = { value: properties[key], writable: true };
			ClassConstructor.prototype = Object.create(this.prototype, props);
			ClassConstructor.prototype.constructor = ClassConstructor;
			Object.assign(ClassConstructor, this);
			ClassConstructor.displayName = toCamelCase(`${props.__name__.value}Class`);
			return ClassConstructor;
		},
		singleton(properties, ...args) {
			return Class.extend(properties).instantiate(args);
		},
		instantiate(args) {
			return new (Function.prototype.bind.call(this, null, ...args))();
		},
		isSubclass(classValue) {
			return (typeof classValue == 'function' && classValue.prototype instanceof this);
		},
		prototype: {
			varargs(args, offset, ...extra) {
				return extra.concat(Array.prototype.slice.call(args, offset));
			},
			// The method `key` of the next prototype up from the one whose method is running
			// (tracked per instance id and key, as luci.js does).
			super(key, ...callArgs) {
				if (key == null)
					return null;
				const slot = `${this.__id__}.${key}`, stack = superContext[slot];
				let ctx = Object.getPrototypeOf(stack ? stack[0] : Object.getPrototypeOf(this));
				for (; ctx != null && !ctx.hasOwnProperty(key); ctx = Object.getPrototypeOf(ctx)) {}
				if (ctx == null)
					return null;
				let res = ctx[key];
				if (callArgs.length > 0) {
					if (typeof res != 'function')
						throw new ReferenceError(`${key} is not a function in base class`);
					if (Array.isArray(callArgs[0]) || LuCI.prototype.isArguments(callArgs[0]))
						callArgs = callArgs[0];
					if (stack) stack.unshift(ctx);
					else superContext[slot] = [ ctx ];
					try { res = res.apply(this, callArgs); }
					finally {
						if (stack && stack.length > 1) stack.shift();
						else delete superContext[slot];
					}
				}
				return res;
			}
		}
	});

	/* ---- Response / Request (luci.js LuCI.response, LuCI.request) ---- */
	const Response = Class.extend({
		__name__: 'LuCI.response',
		__init__(xhr, url, duration, headers, content) {
			this.ok = (xhr.status >= 200 && xhr.status <= 299);
			this.status = xhr.status;
			this.statusText = xhr.statusText;
			this.headers = headers ?? { get: n => xhr.getResponseHeader(n) };
			this.duration = duration;
			this.url = url;
			this.xhr = xhr;
			if (content != null && typeof content == 'object') { this.responseJSON = content; this.responseText = null; }
			else if (content != null) { this.responseJSON = null; this.responseText = String(content); }
			else { this.responseJSON = null; this.responseText = xhr.responseText; }
		},
		clone(content) {
			const copy = new Response(this.xhr, this.url, this.duration, this.headers, content);
			copy.ok = this.ok; copy.status = this.status; copy.statusText = this.statusText;
			return copy;
		},
		json() {
			if (this.responseJSON == null)
				this.responseJSON = JSON.parse(this.responseText);
			return this.responseJSON;
		},
		text() {
			if (this.responseText == null && this.responseJSON != null)
				this.responseText = JSON.stringify(this.responseJSON);
			return this.responseText;
		}
	});

	// luci.js batches ubus calls: every rpc POST made before the next animation frame goes out as
	// one JSON-RPC array to the rpc base URL; replies are matched by position
	// (isQueueableRequest, flushRequestQueue).
	const requestQueue = [];
	let rpcBaseURL = null;

	function isQueueableRequest(opt) {
		if (!classes.rpc || opt.method != 'POST' || typeof opt.content != 'object' || opt.nobatch === true)
			return false;
		const base = Request.expandURL(classes.rpc.getBaseURL());
		return (base != null && opt.url.indexOf(base) == 0);
	}

	function flushRequestQueue() {
		if (!requestQueue.length)
			return;
		const reqopt = Object.assign({}, requestQueue[0][0], { content: [], nobatch: true }), batch = [];
		for (let i = 0; i < requestQueue.length; i++) {
			batch[i] = requestQueue[i];
			reqopt.content[i] = batch[i][0].content;
		}
		requestQueue.length = 0;
		Request.request(rpcBaseURL, reqopt).then(reply => {
			let json = null, req = null;
			try { json = reply.json(); } catch (e) {}
			while ((req = batch.shift()) != null)
				if (Array.isArray(json) && json.length)
					req[2].call(reqopt, reply.clone(json.shift()));
				else
					req[1].call(reqopt, new Error('No related RPC reply'));
		}).catch(error => {
			let req = null;
			while ((req = batch.shift()) != null)
				req[1].call(reqopt, error);
		});
	}

	const Request = Class.singleton({
		__name__: 'LuCI.request',
		interceptors: [],
		expandURL(url) {
			if (!/^(?:[^/]+:)?\/\//.test(url))
				url = `${location.protocol}//${location.host}${url}`;
			return url;
		},
		request(target, options) {
			return Promise.resolve(target).then(url => {
				const opt = Object.assign({}, options, { xhr: new XMLHttpRequest(), url: this.expandURL(url), start: Date.now() });
				let content = null, contenttype = null;
				return new Promise((resolveFn, rejectFn) => {
					opt.xhr.onreadystatechange = this.handleReadyStateChange.bind(opt, resolveFn, rejectFn);
					opt.method = String(opt.method ?? 'GET').toUpperCase();
					if ('query' in opt) {
						const q = (opt.query != null) ? Object.keys(opt.query).map(k => {
							if (opt.query[k] == null)
								return encodeURIComponent(k);
							const v = typeof opt.query[k] == 'object' ? JSON.stringify(opt.query[k]) : String(opt.query[k]);
							return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
						}).join('&') : '';
						if (q !== '') {
							if (['GET', 'HEAD', 'OPTIONS'].includes(opt.method))
								opt.url += (/\?/.test(opt.url) ? '&' : '?') + q;
							else if (content == null) {
								content = q;
								contenttype = 'application/x-www-form-urlencoded';
							}
						}
					}
					if (!opt.cache)
						opt.url += (/\?/.test(opt.url) ? '&' : '?') + Date.now();
					if (isQueueableRequest(opt)) {
						requestQueue.push([opt, rejectFn, resolveFn]);
						requestAnimationFrame(flushRequestQueue);
						return;
					}
					opt.xhr.open(opt.method, opt.url, true);
					opt.xhr.responseType = 'text';
					if ('timeout' in opt)
						opt.xhr.timeout = +opt.timeout;
					if (opt.content != null) {
						if (typeof opt.content == 'object') { content = JSON.stringify(opt.content); contenttype = 'application/json'; }
						else content = String(opt.content);
					}
					if (contenttype != null)
						opt.xhr.setRequestHeader('Content-Type', contenttype);
					try { opt.xhr.send(content); }
					catch (e) { rejectFn.call(opt, e); }
				});
			});
		},
		handleReadyStateChange(resolveFn, rejectFn) {
			const xhr = this.xhr, duration = Date.now() - this.start;
			if (xhr.readyState !== 4)
				return;
			if (xhr.status === 0 && xhr.statusText === '') {
				rejectFn.call(this, new Error(duration >= this.timeout ? 'XHR request timed out' : 'XHR request aborted by browser'));
				return;
			}
			const response = new Response(xhr, xhr.responseURL ?? this.url, duration);
			Promise.all(Request.interceptors.map(fn => fn(response)))
				.then(resolveFn.bind(this, response))
				.catch(rejectFn.bind(this));
		},
		get(url, options) { return this.request(url, Object.assign({ method: 'GET' }, options)); },
		post(url, data, options) { return this.request(url, Object.assign({ method: 'POST', content: data }, options)); },
		addInterceptor(fn) { if (typeof fn == 'function') this.interceptors.push(fn); return fn; },
		poll: {
			remove(entry) { return Poll.remove(entry); },
			start() { return Poll.start(); },
			stop() { return Poll.stop(); },
			active() { return Poll.active(); }
		}
	});

	/* ---- Poll (luci.js LuCI.poll): a 1 s tick; start() steps at once ---- */
	const Poll = Class.singleton({
		__name__: 'LuCI.poll',
		queue: [],
		add(fn, interval) {
			if (interval == null || interval <= 0)
				interval = env.pollinterval || null;
			if (isNaN(interval) || typeof fn != 'function')
				throw new TypeError('Invalid argument to LuCI.poll.add()');
			for (let i = 0; i < this.queue.length; i++)
				if (this.queue[i].fn === fn)
					return false;
			this.queue.push({ r: true, i: interval >>> 0, fn });
			if (this.tick != null && !this.active())
				this.start();
			return true;
		},
		remove(fn) {
			if (typeof fn != 'function')
				throw new TypeError('Invalid argument to LuCI.poll.remove()');
			const len = this.queue.length;
			for (let i = len; i > 0; i--)
				if (this.queue[i - 1].fn === fn)
					this.queue.splice(i - 1, 1);
			if (!this.queue.length && this.stop())
				this.tick = 0;
			return (this.queue.length != len);
		},
		start() {
			if (this.active())
				return false;
			this.tick = 0;
			if (this.queue.length) {
				this.timer = window.setInterval(this.step, 1000);
				this.step();
				document.dispatchEvent(new CustomEvent('poll-start'));
			}
			return true;
		},
		stop() {
			if (!this.active())
				return false;
			document.dispatchEvent(new CustomEvent('poll-stop'));
			window.clearInterval(this.timer);
			delete this.timer;
			delete this.tick;
			return true;
		},
		step() {
			for (let i = 0, e = null; (e = Poll.queue[i]) != null; i++) {
				if ((Poll.tick % e.i) != 0 || !e.r)
					continue;
				e.r = false;
				Promise.resolve(e.fn()).finally((function() { this.r = true; }).bind(e));
			}
			Poll.tick = (Poll.tick + 1) % Math.pow(2, 32);
		},
		active() {
			return (this.timer != null);
		}
	});

	/* ---- dom (luci.js LuCI.dom) ---- */
	const domParser = new DOMParser();
	const DOM = Class.singleton({
		__name__: 'LuCI.dom',
		elem(e) {
			return (e != null && typeof e == 'object' && 'nodeType' in e);
		},
		parse(s) {
			try { return domParser.parseFromString(s, 'text/html').body.firstChild; }
			catch (e) { return null; }
		},
		matches(node, selector) {
			const m = this.elem(node) ? (node.matches ?? node.msMatchesSelector) : null;
			return m ? m.call(node, selector) : false;
		},
		parent(node, selector) {
			if (this.elem(node) && node.closest)
				return node.closest(selector);
			while (this.elem(node))
				if (this.matches(node, selector)) return node;
				else node = node.parentNode;
			return null;
		},
		// As luci.js: an array's members become nodes or text nodes; the test is on the array,
		// not the member, so null/undefined/false members print as "null"/"undefined"/"false".
		// A lone function is called with the node; a lone Node is appended; anything else is
		// assigned to innerHTML.
		append(node, children) {
			if (!this.elem(node))
				return null;
			if (Array.isArray(children)) {
				for (let i = 0; i < children.length; i++)
					if (this.elem(children[i]))
						node.appendChild(children[i]);
					else if (children !== null && children !== undefined)
						node.appendChild(document.createTextNode(`${children[i]}`));
				return node.lastChild;
			}
			else if (typeof children === 'function') {
				return this.append(node, children(node));
			}
			else if (this.elem(children)) {
				return node.appendChild(children);
			}
			else if (children !== null && children !== undefined) {
				node.innerHTML = `${children}`;
				return node.lastChild;
			}
			return null;
		},
		content(node, children) {
			if (!this.elem(node))
				return null;
			const dataNodes = node.querySelectorAll('[data-idref]');
			for (let i = 0; i < dataNodes.length; i++)
				delete this.registry[dataNodes[i].getAttribute('data-idref')];
			while (node.firstChild)
				node.removeChild(node.firstChild);
			return this.append(node, children);
		},
		// Functions become listeners, null/undefined are skipped, objects are JSON, anything
		// else goes through setAttribute (false sets "false").
		attr(node, key, val) {
			if (!this.elem(node))
				return null;
			let attr = null;
			if (typeof key === 'object' && key !== null) attr = key;
			else if (typeof key === 'string') attr = {}, attr[key] = val;
			for (key in attr) {
				if (!attr.hasOwnProperty(key) || attr[key] == null)
					continue;
				switch (typeof attr[key]) {
				case 'function': node.addEventListener(key, attr[key]); break;
				case 'object': node.setAttribute(key, JSON.stringify(attr[key])); break;
				default: node.setAttribute(key, attr[key]);
				}
			}
		},
		// The second argument is attributes when it is a non-array object (a Node too).
		create() {
			const html = arguments[0];
			let attr = arguments[1], data = arguments[2], elem;
			if (!(attr instanceof Object) || Array.isArray(attr))
				data = attr, attr = null;
			if (Array.isArray(html)) {
				elem = document.createDocumentFragment();
				for (let i = 0; i < html.length; i++)
					elem.appendChild(this.create(html[i]));
			}
			else if (this.elem(html)) elem = html;
			else if (html.charCodeAt(0) === 60) elem = this.parse(html);
			else elem = document.createElement(html);
			if (!elem)
				return null;
			this.attr(elem, attr);
			this.append(elem, data);
			return elem;
		},
		registry: {},
		data(node, key, val) {
			if (!node?.getAttribute)
				return null;
			let id = node.getAttribute('data-idref');
			if (arguments.length > 1 && key == null) {
				if (id == null) return null;
				node.removeAttribute('data-idref');
				val = this.registry[id];
				delete this.registry[id];
				return val;
			}
			if (arguments.length > 2 && key != null && val == null) {
				if (id == null) return null;
				val = this.registry[id][key];
				delete this.registry[id][key];
				return val;
			}
			if (arguments.length > 2 && key != null && val != null) {
				if (id == null) {
					do { id = Math.floor(Math.random() * 0xffffffff).toString(16); }
					while (this.registry.hasOwnProperty(id));
					node.setAttribute('data-idref', id);
					this.registry[id] = {};
				}
				return (this.registry[id][key] = val);
			}
			if (arguments.length == 1)
				return id != null ? this.registry[id] : null;
			if (arguments.length == 2 && id != null)
				return this.registry[id][key];
			return null;
		},
		bindClassInstance(node, inst) {
			if (!(inst instanceof Class))
				LuCI.prototype.error('TypeError', 'Argument must be a class instance');
			return this.data(node, '_class', inst);
		},
		findClassInstance(node) {
			let inst = null;
			do {
				inst = this.data(node, '_class');
				node = node.parentNode;
			} while (!(inst instanceof Class) && node != null);
			return inst;
		},
		callClassMethod(node, method, ...args) {
			const inst = this.findClassInstance(node);
			if (typeof inst?.[method] != 'function')
				return null;
			return inst[method].call(inst, ...args);
		},
		isEmpty(node, ignoreFn) {
			for (let child = node?.firstElementChild; child != null; child = child.nextElementSibling)
				if (!child.classList.contains('hidden') && !ignoreFn?.(child))
					return false;
			return true;
		}
	});

	/* ---- session (luci.js LuCI.session): id, token, per-session sessionStorage ---- */
	const Session = Class.singleton({
		__name__: 'LuCI.session',
		getID() { return env.sessionid ?? '00000000000000000000000000000000'; },
		getToken() { return env.token ?? null; },
		getLocalData(key) {
			try {
				const sid = this.getID();
				let data = JSON.parse(window.sessionStorage.getItem('luci-session-store'));
				if (!LuCI.prototype.isObject(data) || !data.hasOwnProperty(sid))
					data = { [sid]: {} };
				if (key != null)
					return data[sid].hasOwnProperty(key) ? data[sid][key] : null;
				return data[sid];
			}
			catch (e) { return key != null ? null : {}; }
		},
		setLocalData(key, value) {
			if (key == null)
				return false;
			try {
				const sid = this.getID();
				let data = JSON.parse(window.sessionStorage.getItem('luci-session-store'));
				if (!LuCI.prototype.isObject(data) || !data.hasOwnProperty(sid))
					data = { [sid]: {} };
				if (value != null) data[sid][key] = value;
				else delete data[sid][key];
				window.sessionStorage.setItem('luci-session-store', JSON.stringify(data));
				return true;
			}
			catch (e) { return false; }
		}
	});

	/* ---- view (luci.js LuCI.view): load, wait for luci-loaded, render, footer ---- */
	const View = Class.extend({
		__name__: 'LuCI.view',
		__init__() {
			const vp = document.getElementById('view');
			DOM.content(vp, E('div', { 'class': 'spinning' }, _('Loading view…')));
			return Promise.resolve(this.load())
				.then((...args) => L.loaded ? Promise.resolve(...args)
					: new Promise(resolve => document.addEventListener('luci-loaded', resolve.bind(null, ...args), { once: true })))
				.then(LuCI.prototype.bind(this.render, this))
				.then(LuCI.prototype.bind(function(nodes) {
					const vp = document.getElementById('view');
					DOM.content(vp, nodes);
					DOM.append(vp, this.addFooter());
				}, this)).catch(LuCI.prototype.error);
		},
		load() {},
		render() {},
		handleSave(ev) {
			const tasks = [];
			document.getElementById('maincontent').querySelectorAll('.cbi-map').forEach(map => {
				tasks.push(DOM.callClassMethod(map, 'save'));
			});
			return Promise.all(tasks);
		},
		handleSaveApply(ev, mode) {
			return this.handleSave(ev).then(() => { classes.ui.changes.apply(mode == '0'); });
		},
		handleReset(ev) {
			const tasks = [];
			document.getElementById('maincontent').querySelectorAll('.cbi-map').forEach(map => {
				tasks.push(DOM.callClassMethod(map, 'reset'));
			});
			return Promise.all(tasks);
		},
		// The buttons are disabled when every form is read-only (Map.load's session access
		// check) or, without a form, when the menu node's ACL grants only read.
		addFooter() {
			const footer = E([]), vp = document.getElementById('view');
			let hasmap = false, readonly = true;
			vp.querySelectorAll('.cbi-map').forEach(map => {
				const m = DOM.findClassInstance(map);
				if (m) {
					hasmap = true;
					if (!m.readonly) readonly = false;
				}
			});
			if (!hasmap)
				readonly = !LuCI.prototype.hasViewPermission();
			const saveApplyBtn = this.handleSaveApply ? new classes.ui.ComboButton('0', {
				0: [ _('Save & Apply') ],
				1: [ _('Apply unchecked') ]
			}, {
				classes: { 0: 'btn cbi-button cbi-button-apply important', 1: 'btn cbi-button cbi-button-negative important' },
				click: classes.ui.createHandlerFn(this, 'handleSaveApply'),
				disabled: readonly || null
			}).render() : E([]);
			if (this.handleSaveApply || this.handleSave || this.handleReset) {
				footer.appendChild(E('div', { 'class': 'cbi-page-actions' }, [
					saveApplyBtn, ' ',
					this.handleSave ? E('button', {
						'class': 'cbi-button cbi-button-save',
						'click': classes.ui.createHandlerFn(this, 'handleSave'),
						'disabled': readonly || null
					}, [ _('Save') ]) : '', ' ',
					this.handleReset ? E('button', {
						'class': 'cbi-button cbi-button-reset',
						'click': classes.ui.createHandlerFn(this, 'handleReset'),
						'disabled': readonly || null
					}, [ _('Reset') ]) : ''
				]));
			}
			return footer;
		}
	});

	/* ---- LuCI (luci.js LuCI): env, class loader, DOM setup ---- */
	const classes = { baseclass: Class, dom: DOM, poll: Poll, request: Request, session: Session, view: View };
	const naturalCompare = new Intl.Collator(undefined, { numeric: true }).compare;

	const LuCI = Class.extend({
		__name__: 'LuCI',
		__init__(setenv) {
			document.querySelectorAll('script[src*="/luci.js"]').forEach(s => {
				if (setenv.base_url == null || setenv.base_url == '') {
					const m = (s.getAttribute('src') ?? '').match(/^(.*)\/luci\.js(?:\?v=([^?]+))?$/);
					if (m) { setenv.base_url = m[1]; setenv.resource_version = m[2]; }
				}
			});
			if (setenv.base_url == null)
				this.error('InternalError', 'Cannot find url of luci.js');
			setenv.cgi_base = setenv.scriptname.replace(/\/[^\/]+$/, '');
			Object.assign(env, setenv);
			const domReady = new Promise(resolveFn => document.addEventListener('DOMContentLoaded', resolveFn));
			Promise.all([
				domReady,
				this.require('ui'),
				this.require('rpc'),
				this.require('form'),
				this.probeRPCBaseURL()
			]).then(this.setupDOM.bind(this)).catch(this.error);
		},
		raise(type, fmt, ...args) {
			let e = null;
			const msg = fmt ? String.prototype.format.call(fmt, ...args) : null;
			if (type instanceof Error) {
				e = type;
				if (msg) e.message = `${msg}: ${e.message}`;
			}
			else {
				e = new (window[type ?? 'Error'] ?? Error)(msg ?? 'Unspecified error');
				e.name = type ?? 'Error';
			}
			throw e;
		},
		error(type, fmt /*, ...*/) {
			try {
				LuCI.prototype.raise.apply(LuCI.prototype, Array.prototype.slice.call(arguments));
			}
			catch (e) {
				if (!e.reported) {
					if (classes.ui)
						classes.ui.addNotification(e.name || _('Runtime error'), E('pre', {}, e.message), 'danger');
					else
						DOM.content(document.querySelector('#maincontent'), E('pre', { 'class': 'alert-message error' }, e.message));
					e.reported = true;
				}
				throw e;
			}
		},
		bind(fn, self, ...args) {
			return Function.prototype.bind.call(fn, self, ...args);
		},
		// Fetches <base_url>/<name with dots as slashes>.js, reads the leading string literals
		// ('use strict', 'require x [as y]'), loads those first and evaluates the file as the body
		// of function(window, document, L, <one parameter per require>) returning a class, then
		// instantiates it once.
		require(name, from = []) {
			const L = this;
			if (classes[name] != null) {
				if (from.indexOf(name) != -1)
					LuCI.prototype.raise('DependencyError', 'Circular dependency: class "%s" depends on "%s"', name, from.join('" which depends on "'));
				return Promise.resolve(classes[name]);
			}
			const url = '%s/%s.js%s'.format(env.base_url, name.replace(/\./g, '/'), (env.resource_version ? `?v=${env.resource_version}` : ''));
			from = [ name ].concat(from);
			const compileClass = res => {
				if (!res.ok)
					LuCI.prototype.raise('NetworkError', 'HTTP error %d while loading class file "%s"', res.status, url);
				const source = res.text();
				const requirematch = /^require[ \t]+(\S+)(?:[ \t]+as[ \t]+([a-zA-Z_]\S*))?$/, strictmatch = /^use[ \t]+strict$/;
				const depends = [];
				let args = '';
				for (let i = 0, off = -1, prev = -1, quote = -1, comment = -1, esc = false; i < source.length; i++) {
					const chr = source.charCodeAt(i);
					if (esc) esc = false;
					else if (comment != -1) {
						if ((comment == 47 && chr == 10) || (comment == 42 && prev == 42 && chr == 47))
							comment = -1;
					}
					else if ((chr == 42 || chr == 47) && prev == 47) comment = chr;
					else if (chr == 92) esc = true;
					else if (chr == quote) {
						const s = source.substring(off, i), m = requirematch.exec(s);
						if (m) {
							const dep = m[1], as = m[2] || dep.replace(/[^a-zA-Z0-9_]/g, '_');
							depends.push(LuCI.prototype.require(dep, from));
							args += `, ${as}`;
						}
						else if (!strictmatch.exec(s))
							break;
						off = -1;
						quote = -1;
					}
					else if (quote == -1 && (chr == 34 || chr == 39)) {
						off = i + 1;
						quote = chr;
					}
					prev = chr;
				}
				return Promise.all(depends).then(instances => {
					let _factory;
					try {
						_factory = eval('(function(window, document, L%s) { %s })\n\n//# sourceURL=%s\n'.format(args, source, res.url));
					}
					catch (error) {
						LuCI.prototype.raise('SyntaxError', '%s\n  in %s:%s', error.message, res.url, error.lineNumber ?? '?');
					}
					const _class = _factory.apply(_factory, [window, document, L].concat(instances));
					if (!Class.isSubclass(_class))
						LuCI.prototype.error('TypeError', '"%s" factory yields invalid constructor', name);
					let ptr = Object.getPrototypeOf(L), idx = 0;
					const parts = name.split(/\./), instance = new _class();
					while (ptr && idx < parts.length - 1)
						ptr = ptr[parts[idx++]];
					if (ptr)
						ptr[parts[idx]] = instance;
					classes[name] = instance;
					return instance;
				});
			};
			classes[name] = Request.get(url, { cache: true }).then(compileClass);
			return classes[name];
		},
		// POSTs a `list` to env.ubuspath: 200 makes it the rpc base URL, else admin/ubus.
		probeRPCBaseURL() {
			if (rpcBaseURL == null)
				rpcBaseURL = Session.getLocalData('rpcBaseURL');
			if (rpcBaseURL == null) {
				const msg = { jsonrpc: '2.0', id: 'init', method: 'list', params: undefined };
				const fallback = this.url('admin/ubus');
				rpcBaseURL = Request.post(env.ubuspath, msg, { nobatch: true })
					.then(res => rpcBaseURL = res.status == 200 ? env.ubuspath : fallback, () => rpcBaseURL = fallback)
					.then(url => { Session.setLocalData('rpcBaseURL', url); return url; });
			}
			return Promise.resolve(rpcBaseURL);
		},
		notifySessionExpiry() {
			Poll.stop();
			classes.ui.showModal(_('Session expired'), [
				E('div', { class: 'alert-message warning' }, _('A new login is required since the authentication session expired.'))
			]);
			LuCI.prototype.raise('SessionError', 'Login session is expired');
		},
		// luci.js setupDOM without the luci/getFeatures and file/list probes (no view here uses
		// system features or preload classes), then initDOM: the poll loop starts (empty, so
		// it only sets tick 0) and luci-loaded releases the view's render.
		setupDOM(res) {
			const uiClass = res[1], rpcClass = res[2];
			rpcClass.setBaseURL(res[4]);
			rpcClass.addInterceptor((msg, req) => {
				if (!LuCI.prototype.isObject(msg) || !LuCI.prototype.isObject(msg.error) || msg.error.code != -32002)
					return;
				if (!LuCI.prototype.isObject(req) || (req.object == 'session' && req.method == 'access'))
					return;
				return rpcClass.declare({
					object: 'session', method: 'access', params: [ 'scope', 'object', 'function' ], expect: { access: true }
				})('uci', 'luci', 'read').catch(LuCI.prototype.notifySessionExpiry);
			});
			Request.addInterceptor(r => {
				if (r.status == 403 && r.headers.get('X-LuCI-Login-Required') == 'yes')
					LuCI.prototype.notifySessionExpiry();
			});
			document.addEventListener('poll-start', () => {
				uiClass.showIndicator('poll-status', _('Refreshing'), () => {
					Request.poll.active() ? Request.poll.stop() : Request.poll.start();
				});
			});
			document.addEventListener('poll-stop', () => {
				uiClass.showIndicator('poll-status', _('Paused'), null, 'inactive');
			});
			this.initDOM();
		},
		initDOM() {
			Poll.start();
			L.loaded = true;
			document.dispatchEvent(new CustomEvent('luci-loaded'));
		},
		loaded: false,
		env,
		path(prefix = '', parts) {
			const url = [ prefix ];
			for (let i = 0; i < parts.length; i++) {
				const part = parts[i];
				if (Array.isArray(part))
					url.push(this.path('', part));
				else if (/^(?:[a-zA-Z0-9_.%,;-]+\/)*[a-zA-Z0-9_.%,;-]+$/.test(part) || /^\?[a-zA-Z0-9_.%=&;-]+$/.test(part))
					url.push(part.startsWith('?') ? part : '/' + part);
			}
			if (url.length === 1)
				url.push('/');
			return url.join('');
		},
		url() { return this.path(env.scriptname, arguments); },
		resource() { return this.path(env.resource, arguments); },
		location() { return this.path(env.scriptname, env.requestpath); },
		isObject(val) { return (val != null && typeof val == 'object'); },
		isArguments(val) { return (Object.prototype.toString.call(val) == '[object Arguments]'); },
		naturalCompare,
		toArray(val) {
			if (val == null) return [];
			if (Array.isArray(val)) return val;
			if (typeof val == 'object') return [ val ];
			const s = String(val).trim();
			return s == '' ? [] : s.split(/\s+/);
		},
		resolveDefault(value, defvalue) {
			return Promise.resolve(value).catch(() => defvalue);
		},
		// From the menu node's ACL (env.nodespec, set by the dispatcher): null without access,
		// false when only read is granted.
		hasViewPermission() {
			if (!this.isObject(env.nodespec) || !env.nodespec.satisfied)
				return null;
			return !env.nodespec.readonly;
		},
		stop(entry) { return Poll.remove(entry); },
		halt() { return Poll.stop(); },
		run() { return Poll.start(); },
		dom: DOM,
		view: View,
		Poll,
		Request,
		Class
	});

	window.LuCI = LuCI;

	/* ---- cbi.js globals: E(), _() (no translation loaded: the msgid), N_() ---- */
	window.E = (...args) => DOM.create(...args);
	window._ = (s) => s;
	window.N_ = (n, s, p) => (n == 1 ? s : p);
})(window, document);
