'use strict';
'require validation';
'require baseclass';
'require request';
'require session';
'require poll';
'require dom';
'require view';
'require uci';

// Stand-in for luci-base's ui.js: the widgets form.js renders (Textfield, Checkbox, Select,
// DynamicList, Hiddenfield; ComboButton reduced to its main button), notifications, the modal,
// header indicators, tab groups, the apply/confirm flow of ui.changes, createHandlerFn and
// instantiateView. Widget markup keeps the real ids: the frame is #<cbid>, the control
// #widget.<cbid> (a checkbox carries data-widget-id instead), and the frame is bound to its
// widget instance so form.js finds it.

let modalDiv = null;
let indicatorDiv = null;

/* ui.js AbstractElement */
const UIElement = baseclass.extend({
	getValue() {
		if (dom.matches(this.node, 'select') || dom.matches(this.node, 'input'))
			return this.node.value;
		return null;
	},
	setValue(value) {
		if (dom.matches(this.node, 'select') || dom.matches(this.node, 'input'))
			this.node.value = value;
	},
	isChanged() {
		return (this.node ? this.node.getAttribute('data-changed') : null) == 'true';
	},
	isValid() {
		return (this.validState !== false);
	},
	getValidationError() {
		return this.validationError ?? '';
	},
	triggerValidation() {
		if (typeof this.vfunc != 'function')
			return false;
		const wasValid = this.isValid();
		this.vfunc();
		return (wasValid != this.isValid());
	},
	registerEvents(targetNode, synevent, events) {
		const dispatchFn = () => this.node.dispatchEvent(new CustomEvent(synevent, { bubbles: true }));
		for (let i = 0; i < events.length; i++)
			targetNode.addEventListener(events[i], dispatchFn);
	},
	setUpdateEvents(targetNode, ...events) {
		const datatype = this.options.datatype;
		const optional = this.options.hasOwnProperty('optional') ? this.options.optional : true;
		const validate = this.options.validate;
		this.registerEvents(targetNode, 'widget-update', events);
		if (!datatype && !validate)
			return;
		this.vfunc = UI.prototype.addValidator(targetNode, datatype ?? 'string', optional, validate, ...events);
		this.node.addEventListener('validation-success', () => { this.validState = true; this.validationError = ''; });
		this.node.addEventListener('validation-failure', (ev) => { this.validState = false; this.validationError = ev.detail.message; });
	},
	setChangeEvents(targetNode, ...events) {
		const node = this.node;
		for (let i = 0; i < events.length; i++)
			targetNode.addEventListener(events[i], () => node.setAttribute('data-changed', true));
		this.registerEvents(targetNode, 'widget-change', events);
	},
	render() {}
});

const UITextfield = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({ optional: true, password: false }, options);
	},
	render() {
		const frameEl = E('div', { 'id': this.options.id });
		const inputEl = E('input', {
			'id': this.options.id ? `widget.${this.options.id}` : null,
			'name': this.options.name,
			'type': this.options.password ? 'password' : 'text',
			'class': `password-input ${this.options.password ? 'cbi-input-password' : 'cbi-input-text'}`,
			'readonly': this.options.readonly ? '' : null,
			'disabled': this.options.disabled ? '' : null,
			'maxlength': this.options.maxlength,
			'placeholder': this.options.placeholder,
			'value': this.value
		});
		frameEl.appendChild(inputEl);
		return this.bind(frameEl);
	},
	bind(frameEl) {
		const inputEl = frameEl.querySelector('input');
		this.node = frameEl;
		this.setUpdateEvents(inputEl, 'keyup', 'blur');
		this.setChangeEvents(inputEl, 'change');
		dom.bindClassInstance(frameEl, this);
		return frameEl;
	},
	getValue() { return this.node.querySelector('input').value; },
	setValue(value) { this.node.querySelector('input').value = value; }
});

const UICheckbox = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({ value_enabled: '1', value_disabled: '0' }, options);
	},
	render() {
		const id = 'cb%08x'.format(Math.random() * 0xffffffff);
		const frameEl = E('div', { 'id': this.options.id, 'class': 'cbi-checkbox' });
		frameEl.appendChild(E('input', {
			'id': id,
			'name': this.options.name,
			'type': 'checkbox',
			'value': this.options.value_enabled,
			'checked': (this.value == this.options.value_enabled) ? '' : null,
			'disabled': this.options.disabled ? '' : null,
			'data-widget-id': this.options.id ? `widget.${this.options.id}` : null
		}));
		frameEl.appendChild(E('label', { 'for': id }));
		return this.bind(frameEl);
	},
	bind(frameEl) {
		this.node = frameEl;
		const input = frameEl.querySelector('input[type="checkbox"]');
		this.setUpdateEvents(input, 'click', 'blur');
		this.setChangeEvents(input, 'change');
		dom.bindClassInstance(frameEl, this);
		return frameEl;
	},
	isChecked() { return this.node.querySelector('input[type="checkbox"]').checked; },
	getValue() { return this.isChecked() ? this.options.value_enabled : this.options.value_disabled; },
	setValue(value) { this.node.querySelector('input[type="checkbox"]').checked = (value == this.options.value_enabled); }
});

// A choice keyed '' makes the select optional (an empty first entry); otherwise '' keys are
// dropped, and with no value the browser selects the first choice.
const UISelect = UIElement.extend({
	__init__(value, choices, options) {
		if (!L.isObject(choices))
			choices = {};
		if (!Array.isArray(value))
			value = (value != null && value != '') ? [ value ] : [];
		if (!options.multiple && value.length > 1)
			value.length = 1;
		this.values = value;
		this.choices = choices;
		this.options = Object.assign({ multiple: false, widget: 'select', orientation: 'horizontal' }, options);
		if (this.choices.hasOwnProperty(''))
			this.options.optional = true;
	},
	render() {
		const frameEl = E('div', { 'id': this.options.id });
		let keys = Object.keys(this.choices);
		if (this.options.sort === true)
			keys.sort(L.naturalCompare);
		else if (Array.isArray(this.options.sort))
			keys = this.options.sort;
		frameEl.appendChild(E('select', {
			'id': this.options.id ? `widget.${this.options.id}` : null,
			'name': this.options.name,
			'size': this.options.size,
			'class': 'cbi-input-select',
			'multiple': this.options.multiple ? '' : null,
			'disabled': this.options.disabled ? '' : null
		}));
		if (this.options.optional)
			frameEl.lastChild.appendChild(E('option', {
				'value': '',
				'selected': (this.values.length == 0 || this.values[0] == '') ? '' : null
			}, [ this.choices[''] ?? this.options.placeholder ?? _('-- Please choose --') ]));
		for (let i = 0; i < keys.length; i++) {
			if (keys[i] == null || keys[i] == '')
				continue;
			frameEl.lastChild.appendChild(E('option', {
				'value': keys[i],
				'selected': (this.values.indexOf(keys[i]) > -1) ? '' : null
			}, [ this.choices[keys[i]] ?? keys[i] ]));
		}
		return this.bind(frameEl);
	},
	bind(frameEl) {
		this.node = frameEl;
		this.setUpdateEvents(frameEl.firstChild, 'change', 'click', 'blur');
		this.setChangeEvents(frameEl.firstChild, 'change');
		dom.bindClassInstance(frameEl, this);
		return frameEl;
	},
	getValue() { return this.node.firstChild.value; },
	setValue(value) {
		for (let i = 0; i < this.node.firstChild.options.length; i++)
			this.node.firstChild.options[i].selected = (this.node.firstChild.options[i].value == (value ?? ''));
	}
});

// ui.js DynamicList: one .item per value (a hidden input holds it) and an .add-item text field;
// getValue adds a valid, new pending entry. Choices and drag sorting are left out.
const UIDynamicList = UIElement.extend({
	__init__(values, choices, options) {
		if (!Array.isArray(values))
			values = (values != null && values != '') ? [ values ] : [];
		this.values = values;
		this.options = Object.assign({}, options, { multiple: false, optional: true });
	},
	render() {
		const dl = E('div', { 'id': this.options.id, 'class': 'cbi-dynlist', 'disabled': this.options.disabled ? '' : null });
		for (let i = 0; i < this.values.length; i++)
			this.addItem(dl, this.values[i]);
		const inputEl = E('input', {
			'id': this.options.id ? `widget.${this.options.id}` : null,
			'type': 'text',
			'class': 'cbi-input-text',
			'placeholder': this.options.placeholder,
			'disabled': this.options.disabled ? '' : null
		});
		dl.appendChild(E('div', { 'class': 'add-item control-group' }, [
			inputEl,
			E('div', { 'class': 'btn cbi-button cbi-button-add', 'click': (ev) => this.handleClick(ev) }, [ '+' ])
		]));
		return this.bind(dl);
	},
	bind(dl) {
		this.node = dl;
		this.setUpdateEvents(dl.querySelector('.add-item > input'), 'keyup', 'blur');
		this.setChangeEvents(dl, 'cbi-dynlist-change');
		dom.bindClassInstance(dl, this);
		return dl;
	},
	addItem(dl, value, flash) {
		const item = E('div', { 'class': flash ? 'item flash' : 'item', 'tabindex': 0,
			'click': (ev) => { if (!this.options.disabled) { dl.removeChild(item); dl.dispatchEvent(new CustomEvent('cbi-dynlist-change', { bubbles: true })); } }
		}, [ E('span', {}, [ value ]), E('input', { 'type': 'hidden', 'name': this.options.name, 'value': value }) ]);
		const add = dl.querySelector('.add-item');
		dl.insertBefore(item, add);
	},
	handleClick(ev) {
		const input = this.node.querySelector('.add-item > input');
		if (input.value.match(/\S/) && !input.classList.contains('cbi-input-invalid')) {
			this.addItem(this.node, input.value, true);
			input.value = '';
			this.node.dispatchEvent(new CustomEvent('cbi-dynlist-change', { bubbles: true }));
		}
	},
	getValue() {
		const items = this.node.querySelectorAll('.item > input[type="hidden"]'), input = this.node.querySelector('.add-item > input[type="text"]'), v = [];
		for (let i = 0; i < items.length; i++)
			v.push(items[i].value);
		if (input && input.value != null && input.value.match(/\S/) && !input.classList.contains('cbi-input-invalid') && v.filter(s => s == input.value).length == 0)
			v.push(input.value);
		return v;
	},
	setValue(values) {
		this.node.querySelectorAll('.item').forEach(i => i.remove());
		L.toArray(values).forEach(v => this.addItem(this.node, v));
	}
});

const UIHiddenfield = UIElement.extend({
	__init__(value, options) {
		this.value = value;
		this.options = Object.assign({}, options);
	},
	render() {
		return this.bind(E('input', { 'type': 'hidden', 'id': this.options.id, 'value': this.value }));
	},
	bind(hiddenEl) {
		this.node = hiddenEl;
		dom.bindClassInstance(hiddenEl, this);
		return hiddenEl;
	},
	getValue() { return this.node.value; },
	setValue(value) { this.node.value = value; }
});

// ui.js ComboButton is a Dropdown whose main part runs `click(ev, value)`; the choice menu
// (Apply unchecked) is left out.
const UIComboButton = UIElement.extend({
	__init__(value, choices, options) {
		this.value = value;
		this.choices = choices;
		this.options = Object.assign({}, options);
	},
	render() {
		const btn = E('button', {
			'class': this.options.classes?.[this.value] ?? 'btn cbi-button',
			'disabled': this.options.disabled ? '' : null,
			'click': (ev) => this.options.click?.(ev, this.value)
		}, this.choices[this.value]);
		this.node = btn;
		dom.bindClassInstance(btn, this);
		return btn;
	},
	getValue() { return this.value; }
});

const UI = baseclass.extend({
	__init__() {
		modalDiv = document.body.appendChild(dom.create('div', { id: 'modal_overlay', tabindex: -1 }, [
			dom.create('div', { class: 'modal', role: 'dialog', 'aria-modal': true })
		]));
		L.showModal = this.showModal;
		L.hideModal = this.hideModal;
		document.addEventListener('luci-loaded', this.tabs.init.bind(this.tabs));
		document.addEventListener('luci-loaded', this.changes.init.bind(this.changes));
		document.addEventListener('uci-loaded', this.changes.init.bind(this.changes));
	},

	showModal(title, children, ...classes) {
		const dlg = modalDiv.firstElementChild;
		dlg.setAttribute('class', 'modal');
		if (classes.length)
			dlg.classList.add(...classes);
		dom.content(dlg, dom.create('h4', {}, title));
		dom.append(dlg, children);
		document.body.classList.add('modal-overlay-active');
		return dlg;
	},

	hideModal() {
		document.body.classList.remove('modal-overlay-active');
	},

	// The title goes in as E('h4', {}, title): a lone string, so parsed as markup.
	addNotification(title, children, ...classes) {
		const mc = document.querySelector('#maincontent') ?? document.body;
		const msg = E('div', { 'class': 'alert-message fade-in', 'style': 'display:flex' }, [
			E('div', { 'style': 'flex:10' }),
			E('div', { 'style': 'flex:1 1 auto; display:flex' }, [
				E('button', { 'class': 'btn', 'click': (ev) => dom.parent(ev.target, '.alert-message').remove() }, [ _('Dismiss') ])
			])
		]);
		if (title != null)
			dom.append(msg.firstElementChild, E('h4', {}, title));
		dom.append(msg.firstElementChild, children);
		if (classes.length)
			msg.classList.add(...classes);
		mc.insertBefore(msg, mc.firstElementChild);
		return msg;
	},

	showIndicator(id, label, handler, style) {
		if (indicatorDiv == null) {
			indicatorDiv = document.body.querySelector('#indicators');
			if (indicatorDiv == null)
				return false;
		}
		const handlerFn = (typeof handler == 'function') ? handler : null;
		let el = indicatorDiv.querySelector('span[data-indicator="%s"]'.format(id));
		if (el == null)
			el = indicatorDiv.appendChild(E('span', { 'data-indicator': id, 'data-clickable': handlerFn ? true : null, 'click': handlerFn }, [ '' ]));
		if (label == el.firstChild.data && style == el.getAttribute('data-style'))
			return false;
		el.firstChild.data = label;
		el.setAttribute('data-style', (style == 'inactive') ? 'inactive' : 'active');
		return true;
	},

	hideIndicator(id) {
		const el = indicatorDiv ? indicatorDiv.querySelector('span[data-indicator="%s"]'.format(id)) : null;
		if (el == null)
			return false;
		indicatorDiv.removeChild(el);
		return true;
	},

	/* ui.js tabs: a ul.cbi-tabmenu before each group of [data-tab] panes; one is active */
	tabs: baseclass.singleton({
		init() {
			document.querySelectorAll('.cbi-map-tabbed, .cbi-section-node-tabbed').forEach(g => this.initTabGroup(g.childNodes));
		},
		initTabGroup(panes) {
			if (typeof panes != 'object' || !('length' in panes) || panes.length === 0)
				return;
			const menu = E('ul', { 'class': 'cbi-tabmenu' }), group = panes[0].parentNode;
			let selected = null;
			if (group.getAttribute('data-initialized') === 'true')
				return;
			for (let i = 0, pane; (pane = panes[i]); i++) {
				const name = pane.getAttribute('data-tab'), active = pane.getAttribute('data-tab-active') === 'true';
				menu.appendChild(E('li', {
					'style': this.isEmptyPane(pane) ? 'display:none' : null,
					'class': active ? 'cbi-tab' : 'cbi-tab-disabled',
					'data-tab': name
				}, E('a', { 'href': '#', 'click': this.switchTab.bind(this) }, pane.getAttribute('data-tab-title'))));
				if (active)
					selected = i;
			}
			group.parentNode.insertBefore(menu, group);
			group.setAttribute('data-initialized', true);
			if (selected === null) {
				selected = 0;
				for (let i = 0; i < panes.length; i++)
					if (!this.isEmptyPane(panes[i])) { selected = i; break; }
				menu.childNodes[selected].classList.add('cbi-tab');
				menu.childNodes[selected].classList.remove('cbi-tab-disabled');
				panes[selected].setAttribute('data-tab-active', 'true');
			}
		},
		isEmptyPane(pane) {
			return dom.isEmpty(pane, n => n.classList.contains('cbi-tab-descr'));
		},
		updateTabs(ev, root) {
			(root ?? document).querySelectorAll('[data-tab-title]').forEach(pane => {
				const menu = pane.parentNode.previousElementSibling;
				const tab = menu ? menu.querySelector('[data-tab="%s"]'.format(pane.getAttribute('data-tab'))) : null;
				if (!tab)
					return;
				const n = pane.querySelectorAll('.cbi-input-invalid').length;
				if (n) tab.setAttribute('data-errors', n);
				else tab.removeAttribute('data-errors');
			});
		},
		switchTab(ev) {
			const tab = ev.target.parentNode, name = tab.getAttribute('data-tab'), menu = tab.parentNode, group = menu.nextElementSibling;
			ev.preventDefault();
			if (!tab.classList.contains('cbi-tab-disabled'))
				return;
			menu.querySelectorAll('[data-tab]').forEach(t => {
				t.classList.remove('cbi-tab', 'cbi-tab-disabled');
				t.classList.add(t.getAttribute('data-tab') === name ? 'cbi-tab' : 'cbi-tab-disabled');
			});
			group.childNodes.forEach(pane => {
				if (dom.matches(pane, '[data-tab]'))
					pane.setAttribute('data-tab-active', pane.getAttribute('data-tab') === name ? 'true' : 'false');
			});
		}
	}),

	/* ui.js changes: the unsaved-changes indicator and the apply/confirm flow */
	changes: baseclass.singleton({
		init() {
			if (!L.env.sessionid)
				return;
			return uci.changes().then(L.bind(this.renderChangeIndicator, this));
		},
		setIndicator(n) {
			if (n > 0)
				UI.prototype.showIndicator('uci-changes', '%s: %d'.format(_('Unsaved Changes'), n));
			else
				UI.prototype.hideIndicator('uci-changes');
		},
		renderChangeIndicator(changes) {
			let n = 0;
			for (const config in changes)
				if (changes.hasOwnProperty(config))
					n += changes[config].length;
			this.changes = changes;
			this.setIndicator(n);
		},
		// A modal that blocks the view; polling stops while it shows.
		displayStatus(type, content) {
			if (type) {
				const message = UI.prototype.showModal('', '');
				message.classList.add('alert-message', ...type.split(/\s+/));
				if (content)
					dom.content(message, content);
				if (!this.was_polling) {
					this.was_polling = request.poll.active();
					request.poll.stop();
				}
			}
			else {
				UI.prototype.hideModal();
				if (this.was_polling)
					request.poll.start();
			}
		},
		// ui.js asks /usr/libexec/luci-peeraddr whether a staged `network` change cuts the
		// admin's connection; mpwan's pages stage no `network` changes.
		checkConnectivityAffected() {
			return Promise.resolve(null);
		},
		rollback(checked) {
			this.displayStatus('warning', [
				E('h4', checked ? _('Configuration changes have been rolled back!') : _('Device unreachable!'))
			]);
		},
		// Confirms after apply_holdoff, retrying each second until apply_rollback runs out;
		// a confirmed apply reloads the page after apply_display.
		confirm(checked, deadline, override_token) {
			let tt, ts = Date.now();
			this.displayStatus('notice');
			if (override_token)
				this.confirm_auth = { token: override_token };
			const call = (r, data, duration) => {
				if (Date.now() >= deadline) {
					window.clearTimeout(tt);
					UI.prototype.changes.rollback(checked);
					return;
				}
				else if (r.status === 200 || r.status === 204) {
					document.dispatchEvent(new CustomEvent('uci-applied'));
					UI.prototype.changes.setIndicator(0);
					UI.prototype.changes.displayStatus('notice', E('p', _('Configuration changes applied.')));
					window.clearTimeout(tt);
					window.setTimeout(() => { window.location = window.location.href.split('#')[0]; }, L.env.apply_display * 1000);
					return;
				}
				const delay = isNaN(duration) ? 0 : Math.max(1000 - duration, 0);
				window.setTimeout(() => {
					request.request(L.url('admin/uci/confirm'), {
						method: 'post',
						timeout: L.env.apply_timeout * 1000,
						query: UI.prototype.changes.confirm_auth
					}).then(call, call.bind(null, { status: 0, duration: 0 }));
				}, delay);
			};
			const tick = () => {
				const now = Date.now();
				UI.prototype.changes.displayStatus('notice spinning',
					E('p', _('Applying configuration changes… %ds').format(Math.max(Math.floor((deadline - Date.now()) / 1000), 0))));
				if (now >= deadline)
					return;
				tt = window.setTimeout(tick, 1000 - (now - ts));
				ts = now;
			};
			tick();
			window.setTimeout(call.bind(null, { status: 0 }), L.env.apply_holdoff * 1000);
		},
		// POSTs admin/uci/apply_rollback (or apply_unchecked): LuCI's controller runs
		// `uci apply` for the session and answers the confirm token; 204 means nothing to apply.
		apply(checked) {
			this.displayStatus('notice spinning', E('p', _('Starting configuration apply…')));
			this.checkConnectivityAffected().then(() => checked).then(checked => {
				request.request(L.url('admin/uci', checked ? 'apply_rollback' : 'apply_unchecked'), {
					method: 'post',
					query: { sid: L.env.sessionid, token: L.env.token }
				}).then(r => {
					if (r.status === (checked ? 200 : 204)) {
						let tok = null;
						try { tok = r.json(); } catch (e) {}
						if (checked && tok !== null && typeof tok === 'object' && typeof tok.token === 'string')
							UI.prototype.changes.confirm_auth = tok;
						UI.prototype.changes.confirm(checked, Date.now() + L.env.apply_rollback * 1000);
					}
					else if (checked && r.status === 204) {
						UI.prototype.changes.displayStatus('notice', E('p', _('There are no changes to apply')));
						window.setTimeout(() => UI.prototype.changes.displayStatus(false), L.env.apply_display * 1000);
					}
					else {
						UI.prototype.changes.displayStatus('warning',
							E('p', _('Apply request failed with status <code>%h</code>').format(r.responseText ?? r.statusText ?? r.status)));
						window.setTimeout(() => UI.prototype.changes.displayStatus(false), L.env.apply_display * 1000);
					}
				});
			});
		}
	}),

	addValidator(field, type, optional, vfunc, ...events) {
		if (type == null)
			return;
		if (events.length == 0)
			events.push('blur', 'keyup');
		try {
			const v = validation.create(field, type, optional, vfunc), validatorFn = v.validate.bind(v);
			for (let i = 0; i < events.length; i++)
				field.addEventListener(events[i], validatorFn);
			validatorFn();
			return validatorFn;
		}
		catch (e) { }
	},

	// The event's currentTarget is disabled and spinning until the handler's promise settles.
	createHandlerFn(ctx, fn, ...args) {
		if (typeof fn == 'string')
			fn = ctx[fn];
		if (typeof fn != 'function')
			return null;
		return L.bind(function() {
			const t = arguments[args.length].currentTarget;
			t.classList.add('spinning');
			t.disabled = true;
			Promise.resolve(fn.apply(ctx, arguments)).finally(() => {
				t.classList.remove('spinning');
				t.disabled = false;
			});
		}, ctx, ...args);
	},

	instantiateView(path) {
		const className = 'view.%s'.format(path.replace(/\//g, '.'));
		return L.require(className).then(v => {
			if (!(v instanceof view))
				throw new TypeError('Loaded class %s is not a descendant of View'.format(className));
			return v;
		}).catch(err => {
			dom.content(document.querySelector('#view'), null);
			L.error(err);
		});
	},

	AbstractElement: UIElement,
	Textfield: UITextfield,
	Checkbox: UICheckbox,
	Select: UISelect,
	DynamicList: UIDynamicList,
	ComboButton: UIComboButton,
	Hiddenfield: UIHiddenfield
});

return UI;
