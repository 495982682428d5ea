'use strict';
'require ui';
'require uci';
'require rpc';
'require dom';
'require baseclass';

// Stand-in for luci-base's form.js: Map -> sections -> options over uci.js. What the views rely
// on follows the real code: Map.load asks `session access` for uci write and turns the form
// read-only when denied; AbstractValue.parse writes when the widget's value differs from the
// loaded value (isEqual), removes when it is empty and rmempty; Flag.parse writes unless the
// value equals the default and rmempty; GridSection parses only editable options; widget ids are
// cbid.<config>.<section>.<option>. Left out: dependencies' defaults, the GridSection "Edit"
// modal and section cloning/sorting.

const callSessionAccess = rpc.declare({
	object: 'session',
	method: 'access',
	params: [ 'scope', 'object', 'function' ],
	expect: { 'access': false }
});

function isEqual(x, y) {
	if (typeof y == 'object' && y instanceof RegExp)
		return (x == null) ? false : y.test(x);
	if (x != null && y != null && typeof x != typeof y)
		return false;
	if ((x != null && y == null) || (x == null && y != null))
		return false;
	if (Array.isArray(x)) {
		if (x.length != y.length)
			return false;
		for (let i = 0; i < x.length; i++)
			if (!isEqual(x[i], y[i]))
				return false;
	}
	else if (typeof x == 'object') {
		for (const k in x) {
			if (x.hasOwnProperty(k) && !y.hasOwnProperty(k))
				return false;
			if (!isEqual(x[k], y[k]))
				return false;
		}
		for (const k in y)
			if (y.hasOwnProperty(k) && !x.hasOwnProperty(k))
				return false;
	}
	else if (x != y) {
		return false;
	}
	return true;
}

const CBIAbstractElement = baseclass.extend({
	__init__(title, description) {
		this.title = title ?? '';
		this.description = description ?? '';
		this.children = [];
	},
	append(obj) {
		this.children.push(obj);
	},
	parse() {
		const args = arguments;
		this.children.forEach(child => child.parse.apply(child, args));
	},
	render() {
		L.error('InternalError', 'Not implemented');
	},
	loadChildren(...args) {
		const tasks = [];
		if (Array.isArray(this.children))
			for (let i = 0; i < this.children.length; i++)
				if (!this.children[i].disable)
					tasks.push(this.children[i].load(...args));
		return Promise.all(tasks);
	},
	renderChildren(tab_name, ...args) {
		const tasks = [];
		let index = 0;
		if (Array.isArray(this.children))
			for (let i = 0; i < this.children.length; i++)
				if (tab_name === null || this.children[i].tab === tab_name)
					if (!this.children[i].disable)
						tasks.push(this.children[i].render(index++, ...args));
		return Promise.all(tasks);
	},
	stripTags(s) {
		if (typeof s == 'string' && !s.match(/[<>]/))
			return s;
		const x = dom.elem(s) ? s : dom.parse(`<div>${s}</div>`);
		return (x.textContent ?? '').replace(/([ \t]*\n)+/g, '\n');
	},
	titleFn(attr, ...args) {
		let s = null;
		if (typeof this[attr] == 'function')
			s = this[attr](...args);
		else if (typeof this[attr] == 'string')
			s = args.length ? this[attr].format(...args) : this[attr];
		if (s != null)
			s = this.stripTags(String(s)).trim();
		return (s == null || s == '') ? null : s;
	}
});

const CBIMap = CBIAbstractElement.extend({
	__init__(config, ...args) {
		this.super('__init__', args);
		this.config = config;
		this.parsechain = [ config ];
		this.data = uci;
	},
	findElements(...args) {
		let q = null;
		if (args.length == 1) q = args[0];
		else if (args.length == 2) q = '[%s="%s"]'.format(args[0], args[1]);
		else L.error('InternalError', 'Expecting one or two arguments to findElements()');
		return this.root.querySelectorAll(q);
	},
	findElement(...args) {
		const res = this.findElements(...args);
		return res.length ? res[0] : null;
	},
	chain(config) {
		if (this.parsechain.indexOf(config) == -1)
			this.parsechain.push(config);
	},
	section(cbiClass, ...args) {
		if (!CBIAbstractSection.isSubclass(cbiClass))
			L.error('TypeError', 'Class must be a descendent of CBIAbstractSection');
		const obj = cbiClass.instantiate([this, ...args]);
		this.append(obj);
		return obj;
	},
	// A session without uci write on the config gets a read-only form.
	load() {
		const doCheckACL = (this.readonly == null);
		const loadTasks = [ doCheckACL ? callSessionAccess('uci', this.config, 'write') : true ];
		const configs = this.parsechain ?? [ this.config ];
		loadTasks.push(...configs.map((config, i) => i ? L.resolveDefault(this.data.load(config)) : this.data.load(config)));
		return Promise.all(loadTasks).then(res => {
			if (res[0] === false)
				this.readonly = true;
			return this.loadChildren();
		});
	},
	parse() {
		const tasks = [];
		if (Array.isArray(this.children))
			for (let i = 0; i < this.children.length; i++)
				tasks.push(this.children[i].parse());
		return Promise.all(tasks);
	},
	save(cb, silent) {
		this.checkDepends();
		return this.parse()
			.then(cb)
			.then(this.data.save.bind(this.data))
			.then(this.load.bind(this))
			.catch(e => {
				if (!silent) {
					ui.showModal(_('Save error'), [
						E('p', {}, [ _('An error occurred while saving the form:') ]),
						E('p', {}, [ E('em', { 'style': 'white-space:pre-wrap' }, [ e.message ]) ]),
						E('div', { 'class': 'right' }, [ E('button', { 'class': 'cbi-button', 'click': ui.hideModal }, [ _('Dismiss') ]) ])
					]);
				}
				return Promise.reject(e);
			}).then(this.renderContents.bind(this));
	},
	reset() {
		return this.renderContents();
	},
	render() {
		return this.load().then(this.renderContents.bind(this));
	},
	renderContents() {
		const mapEl = (this.root ??= E('div', {
			'id': 'cbi-%s'.format(this.config),
			'class': 'cbi-map',
			'cbi-dependency-check': L.bind(this.checkDepends, this)
		}));
		dom.bindClassInstance(mapEl, this);
		return this.renderChildren(null).then(nodes => {
			dom.content(mapEl, null);
			if (this.title != null && this.title != '')
				mapEl.appendChild(E('h2', { 'name': 'content' }, this.title));
			if (this.description != null && this.description != '')
				mapEl.appendChild(E('div', { 'class': 'cbi-map-descr' }, this.description));
			dom.append(mapEl, nodes);
			this.checkDepends();
			const tabGroups = mapEl.querySelectorAll('.cbi-map-tabbed, .cbi-section-node-tabbed');
			for (let i = 0; i < tabGroups.length; i++)
				ui.tabs.initTabGroup(tabGroups[i].childNodes);
			return mapEl;
		});
	},
	lookupOption(name, section_id, config_name) {
		const id = name.indexOf('.') > -1 ? 'cbid.%s'.format(name) : 'cbid.%s.%s.%s'.format(config_name ?? this.config, section_id, name);
		const elem = this.findElement('data-field', id);
		const inst = elem ? dom.findClassInstance(elem) : null;
		return (inst instanceof CBIAbstractValue) ? [ inst, elem ? id.split(/\./)[2] : null ] : null;
	},
	checkDepends(ev, n) {
		let changed = false;
		for (let i = 0, s; (s = this.children[i]) != null; i++)
			if (s.checkDepends(ev, n))
				changed = true;
		if (changed && (n ?? 0) < 10)
			this.checkDepends(ev, (n ?? 10) + 1);
		ui.tabs.updateTabs(ev, this.root);
	},
	isDependencySatisfied(depends, config_name, section_id) {
		if (!Array.isArray(depends) || !depends.length)
			return true;
		for (let i = 0; i < depends.length; i++) {
			let istat = true;
			const reverse = depends[i]['!reverse'];
			for (const dep in depends[i]) {
				if (dep.charAt(0) == '!')
					continue;
				const res = this.lookupOption(dep, section_id, config_name);
				const val = (res && res[0].isActive(res[1])) ? res[0].formvalue(res[1]) : null;
				istat = istat && isEqual(val, depends[i][dep]);
			}
			if (istat ^ reverse)
				return true;
		}
		return false;
	}
});

const CBIAbstractSection = CBIAbstractElement.extend({
	__init__(map, sectionType, ...args) {
		this.super('__init__', args);
		this.sectiontype = sectionType;
		this.map = map;
		this.config = map.config;
		this.optional = true;
		this.addremove = false;
		this.dynamic = false;
	},
	cfgsections() {
		L.error('InternalError', 'Not implemented');
	},
	filter(section_id) {
		return true;
	},
	load() {
		const section_ids = this.cfgsections(), tasks = [];
		if (Array.isArray(this.children))
			for (let i = 0; i < section_ids.length; i++)
				tasks.push(this.loadChildren(section_ids[i]).then(values => {
					for (let j = 0; j < values.length; j++)
						this.children[j].cfgvalue(section_ids[i], values[j]);
				}));
		return Promise.all(tasks);
	},
	parse() {
		const section_ids = this.cfgsections(), tasks = [];
		if (Array.isArray(this.children))
			for (let i = 0; i < section_ids.length; i++)
				for (let j = 0; j < this.children.length; j++)
					tasks.push(this.children[j].parse(section_ids[i]));
		return Promise.all(tasks);
	},
	tab(name, title, description) {
		if (this.tabs && this.tabs[name])
			throw 'Tab already declared';
		const entry = { name, title, description, children: [] };
		this.tabs ??= [];
		this.tabs.push(entry);
		this.tabs[name] = entry;
		this.tab_names ??= [];
		this.tab_names.push(name);
	},
	option(cbiClass, ...args) {
		if (!CBIAbstractValue.isSubclass(cbiClass))
			throw L.error('TypeError', 'Class must be a descendant of CBIAbstractValue');
		const obj = cbiClass.instantiate([ this.map, this, ...args ]);
		this.append(obj);
		return obj;
	},
	// Goes through this.option, as form.js does.
	taboption(tabName, ...args) {
		if (!this.tabs || !this.tabs[tabName])
			throw L.error('ReferenceError', 'Associated tab not declared');
		const obj = this.option(...args);
		obj.tab = tabName;
		this.tabs[tabName].children.push(obj);
		return obj;
	},
	cfgvalue(section_id, option) {
		const rv = (arguments.length == 1) ? {} : null;
		for (let i = 0, o; (o = this.children[i]) != null; i++)
			if (rv) rv[o.option] = o.cfgvalue(section_id);
			else if (o.option == option) return o.cfgvalue(section_id);
		return rv;
	},
	formvalue(section_id, option) {
		for (let i = 0, o; (o = this.children[i]) != null; i++)
			if (o.option == option) return o.formvalue(section_id);
		return null;
	},
	checkDepends(ev, n) {
		let changed = false;
		const sids = this.cfgsections();
		for (let i = 0; i < sids.length; i++)
			for (let j = 0, o; (o = this.children[j]) != null; j++) {
				const isActive = o.isActive(sids[i]), isSatisfied = o.checkDepends(sids[i]);
				if (isActive != isSatisfied) {
					o.setActive(sids[i], !isActive);
					changed = true;
				}
			}
		return changed;
	},
	renderUCISection(section_id) {
		if (!this.tabs)
			return this.renderOptions(null, section_id);
		const tasks = [];
		for (let i = 0; i < this.tab_names.length; i++)
			tasks.push(this.renderOptions(this.tab_names[i], section_id));
		return Promise.all(tasks).then(this.renderTabContainers.bind(this, section_id));
	},
	renderTabContainers(section_id, nodes) {
		const config_name = this.uciconfig ?? this.map.config, containers = E([]);
		for (let i = 0; i < nodes.length; i++) {
			const tab_name = this.tab_names[i], tab = this.tabs[tab_name];
			const el = E('div', {
				'id': 'container.%s.%s.%s'.format(config_name, section_id, tab_name),
				'data-tab': tab_name,
				'data-tab-title': tab.title,
				'data-tab-active': tab_name === this.selected_tab
			});
			if (tab.description != null && tab.description != '')
				el.appendChild(E('div', { 'class': 'cbi-tab-descr' }, tab.description));
			el.appendChild(nodes[i]);
			containers.appendChild(el);
		}
		return containers;
	},
	renderOptions(tab_name, section_id) {
		const in_table = (this instanceof CBITableSection);
		return this.renderChildren(tab_name, section_id, in_table).then(nodes => {
			const els = E([]);
			for (let i = 0; i < nodes.length; i++)
				els.appendChild(nodes[i]);
			return els;
		});
	}
});

const CBIAbstractValue = CBIAbstractElement.extend({
	__init__(map, section, option, ...args) {
		this.super('__init__', args);
		this.section = section;
		this.option = option;
		this.map = map;
		this.config = map.config;
		this.deps = [];
		this.initial = {};
		this.rmempty = true;
		this.default = null;
		this.size = null;
		this.optional = false;
		this.retain = false;
	},
	depends(field, value) {
		let deps;
		if (typeof field === 'string') deps = {}, deps[field] = value;
		else deps = field;
		this.deps.push(deps);
	},
	transformDepList(section_id) {
		const deps = [];
		for (let i = 0; i < this.deps.length; i++) {
			const dep = {};
			for (const k in this.deps[i])
				if (k.charAt(0) === '!') dep[k] = this.deps[i][k];
				else if (k.indexOf('.') !== -1) dep['cbid.%s'.format(k)] = this.deps[i][k];
				else dep['cbid.%s.%s.%s'.format(this.uciconfig ?? this.section.uciconfig ?? this.map.config, this.ucisection ?? section_id, k)] = this.deps[i][k];
			if (Object.keys(dep).length)
				deps.push(dep);
		}
		return deps;
	},
	transformChoices() {
		if (!Array.isArray(this.keylist) || this.keylist.length == 0)
			return null;
		const choices = {};
		for (let i = 0; i < this.keylist.length; i++)
			choices[this.keylist[i]] = this.vallist[i];
		return choices;
	},
	checkDepends(section_id) {
		return this.map.isDependencySatisfied(this.deps, this.uciconfig ?? this.section.uciconfig ?? this.map.config, section_id);
	},
	cbid(section_id) {
		if (section_id == null)
			L.error('TypeError', 'Section ID required');
		return 'cbid.%s.%s.%s'.format(this.uciconfig ?? this.section.uciconfig ?? this.map.config, section_id, this.option);
	},
	load(section_id) {
		if (section_id == null)
			L.error('TypeError', 'Section ID required');
		return this.map.data.get(this.uciconfig ?? this.section.uciconfig ?? this.map.config, this.ucisection ?? section_id, this.ucioption ?? this.option);
	},
	getUIElement(section_id) {
		const node = this.map.findElement('id', this.cbid(section_id));
		const inst = node ? dom.findClassInstance(node) : null;
		return (inst instanceof ui.AbstractElement) ? inst : null;
	},
	// Two arguments store the value load() read; one reads it back.
	cfgvalue(section_id, set_value) {
		if (section_id == null)
			L.error('TypeError', 'Section ID required');
		if (arguments.length == 2) {
			this.data ??= {};
			this.data[section_id] = set_value;
		}
		return this.data?.[section_id];
	},
	formvalue(section_id) {
		const elem = this.getUIElement(section_id);
		return elem ? elem.getValue() : null;
	},
	textvalue(section_id) {
		let cval = this.cfgvalue(section_id);
		if (cval == null)
			cval = this.default;
		if (Array.isArray(cval))
			cval = cval.join(' ');
		return (cval != null) ? '%h'.format(cval) : null;
	},
	validate(section_id, value) {
		return true;
	},
	isValid(section_id) {
		const elem = this.getUIElement(section_id);
		return elem ? elem.isValid() : true;
	},
	getValidationError(section_id) {
		const elem = this.getUIElement(section_id);
		return elem ? elem.getValidationError() : '';
	},
	isActive(section_id) {
		const field = this.map.findElement('data-field', this.cbid(section_id));
		return (field != null && !field.classList.contains('hidden'));
	},
	setActive(section_id, active) {
		const field = this.map.findElement('data-field', this.cbid(section_id));
		if (field && field.classList.contains('hidden') == active) {
			field.classList[active ? 'remove' : 'add']('hidden');
			return true;
		}
		return false;
	},
	triggerValidation(section_id) {
		const elem = this.getUIElement(section_id);
		return elem ? elem.triggerValidation() : true;
	},
	parse(section_id) {
		const active = this.isActive(section_id);
		if (active && !this.isValid(section_id)) {
			const title = this.stripTags(this.title).trim();
			return Promise.reject(new TypeError(`${_('Option "%s" contains an invalid input value.').format(title || this.option)} ${this.getValidationError(section_id)}`));
		}
		if (active) {
			const cval = this.cfgvalue(section_id), fval = this.formvalue(section_id);
			if (fval == null || fval == '') {
				if (this.rmempty || this.optional)
					return Promise.resolve(this.remove(section_id));
				const title = this.stripTags(this.title).trim();
				return Promise.reject(new TypeError(_('Option "%s" must not be empty.').format(title || this.option)));
			}
			else if (this.forcewrite || !isEqual(cval, fval)) {
				return Promise.resolve(this.write(section_id, fval));
			}
		}
		else if (!this.retain) {
			return Promise.resolve(this.remove(section_id));
		}
		return Promise.resolve();
	},
	write(section_id, formvalue) {
		return this.map.data.set(this.uciconfig ?? this.section.uciconfig ?? this.map.config, this.ucisection ?? section_id, this.ucioption ?? this.option, formvalue);
	},
	remove(section_id) {
		return this.map.data.unset(this.uciconfig ?? this.section.uciconfig ?? this.map.config, this.ucisection ?? section_id, this.ucioption ?? this.option);
	}
});

const CBITypedSection = CBIAbstractSection.extend({
	__name__: 'CBI.TypedSection',
	cfgsections() {
		return this.map.data.sections(this.uciconfig ?? this.map.config, this.sectiontype)
			.map(s => s['.name'])
			.filter(L.bind(this.filter, this));
	},
	handleAdd(ev, name) {
		this.map.data.add(this.uciconfig ?? this.map.config, this.sectiontype, name);
		return this.map.save(null, true);
	},
	handleRemove(section_id, ev) {
		this.map.data.remove(this.uciconfig ?? this.map.config, section_id);
		return this.map.save(null, true);
	},
	renderSectionAdd(extra_class) {
		if (!this.addremove)
			return E([]);
		const createEl = E('div', { 'class': 'cbi-section-create' }), btn_title = this.titleFn('addbtntitle');
		if (extra_class != null)
			createEl.classList.add(extra_class);
		if (this.anonymous) {
			createEl.appendChild(E('button', {
				'class': 'cbi-button cbi-button-add',
				'title': btn_title ?? _('Add'),
				'click': ui.createHandlerFn(this, 'handleAdd'),
				'disabled': this.map.readonly || null
			}, [ btn_title ?? _('Add') ]));
		}
		else {
			const nameEl = E('input', { 'type': 'text', 'class': 'cbi-section-create-name', 'disabled': this.map.readonly || null });
			dom.append(createEl, [
				E('div', {}, nameEl),
				E('button', {
					'class': 'cbi-button cbi-button-add',
					'title': btn_title ?? _('Add'),
					'click': ui.createHandlerFn(this, (ev) => {
						if (nameEl.classList.contains('cbi-input-invalid'))
							return;
						return this.handleAdd(ev, nameEl.value);
					}),
					'disabled': this.map.readonly || true
				}, [ btn_title ?? _('Add') ])
			]);
			if (this.map.readonly !== true)
				ui.addValidator(nameEl, 'uciname', true, (v) => {
					const button = createEl.querySelector('.cbi-section-create > .cbi-button-add');
					button.disabled = (v === '') ? true : null;
					return v !== '' ? true : _('Expecting: %s').format(_('non-empty value'));
				}, 'blur', 'keyup');
		}
		return createEl;
	},
	renderSectionPlaceholder() {
		return E('em', _('This section contains no values yet'));
	},
	renderContents(cfgsections, nodes) {
		const config_name = this.uciconfig ?? this.map.config;
		const sectionEl = E('div', { 'id': 'cbi-%s-%s'.format(config_name, this.sectiontype), 'class': 'cbi-section' });
		if (this.title != null && this.title != '')
			sectionEl.appendChild(E('h3', {}, this.title));
		if (this.description != null && this.description != '')
			sectionEl.appendChild(E('div', { 'class': 'cbi-section-descr' }, this.description));
		for (let i = 0; i < nodes.length; i++) {
			if (this.addremove)
				sectionEl.appendChild(E('div', { 'class': 'cbi-section-remove right' }, E('button', {
					'class': 'cbi-button',
					'name': 'cbi.rts.%s.%s'.format(config_name, cfgsections[i]),
					'data-section-id': cfgsections[i],
					'click': ui.createHandlerFn(this, 'handleRemove', cfgsections[i]),
					'disabled': this.map.readonly || null
				}, [ _('Delete') ])));
			if (!this.anonymous)
				sectionEl.appendChild(E('h3', cfgsections[i].toUpperCase()));
			sectionEl.appendChild(E('div', {
				'id': 'cbi-%s-%s'.format(config_name, cfgsections[i]),
				'class': this.tabs ? 'cbi-section-node cbi-section-node-tabbed' : 'cbi-section-node',
				'data-section-id': cfgsections[i]
			}, nodes[i]));
		}
		if (nodes.length == 0)
			sectionEl.appendChild(this.renderSectionPlaceholder());
		sectionEl.appendChild(this.renderSectionAdd());
		dom.bindClassInstance(sectionEl, this);
		return sectionEl;
	},
	render() {
		const cfgsections = this.cfgsections(), tasks = [];
		for (let i = 0; i < cfgsections.length; i++)
			tasks.push(this.renderUCISection(cfgsections[i]));
		return Promise.all(tasks).then(this.renderContents.bind(this, cfgsections));
	}
});

// One table row per section (the name in the row's data-title), one cell per option.
const CBITableSection = CBITypedSection.extend({
	__name__: 'CBI.TableSection',
	tab() {
		throw 'Tabs are not supported by TableSection';
	},
	renderContents(cfgsections, nodes) {
		const config_name = this.uciconfig ?? this.map.config;
		const sectionEl = E('div', { 'id': 'cbi-%s-%s'.format(config_name, this.sectiontype), 'class': 'cbi-section cbi-tblsection' });
		const tableEl = E('table', { 'class': 'table cbi-section-table' });
		if (this.title != null && this.title != '')
			sectionEl.appendChild(E('h3', {}, this.title));
		if (this.description != null && this.description != '')
			sectionEl.appendChild(E('div', { 'class': 'cbi-section-descr' }, this.description));
		tableEl.appendChild(this.renderHeaderRows());
		for (let i = 0; i < nodes.length; i++) {
			const sectionname = this.titleFn('sectiontitle', cfgsections[i]) ?? cfgsections[i];
			const trEl = E('tr', {
				'id': 'cbi-%s-%s'.format(config_name, cfgsections[i]),
				'class': 'tr cbi-section-table-row',
				'data-sid': cfgsections[i],
				'data-title': (sectionname && (!this.anonymous || this.sectiontitle)) ? sectionname : null,
				'data-section-id': cfgsections[i]
			});
			while (nodes[i].firstChild)
				trEl.appendChild(nodes[i].firstChild);
			trEl.appendChild(this.renderRowActions(cfgsections[i]));
			tableEl.appendChild(trEl);
		}
		if (nodes.length == 0)
			tableEl.appendChild(E('tr', { 'class': 'tr cbi-section-table-row placeholder' }, E('td', { 'class': 'td' }, this.renderSectionPlaceholder())));
		sectionEl.appendChild(tableEl);
		sectionEl.appendChild(this.renderSectionAdd('cbi-tblsection-create'));
		dom.bindClassInstance(sectionEl, this);
		return sectionEl;
	},
	renderHeaderRows() {
		const trEl = E('tr', { 'class': 'tr cbi-section-table-titles %s'.format(this.anonymous ? 'anonymous' : 'named'), 'data-title': this.anonymous ? null : _('Name') });
		for (let i = 0, opt; (opt = this.children[i]) != null; i++) {
			if (opt.modalonly)
				continue;
			trEl.appendChild(E('th', { 'class': 'th cbi-section-table-cell', 'data-widget': opt.__name__ }));
			dom.content(trEl.lastElementChild, opt.title);
		}
		if (this.addremove)
			trEl.appendChild(E('th', { 'class': 'th cbi-section-table-cell cbi-section-actions' }));
		return trEl;
	},
	renderRowActions(section_id) {
		if (!this.addremove)
			return E([]);
		return E('td', { 'class': 'td cbi-section-table-cell nowrap cbi-section-actions' }, E('div', {}, [
			E('button', {
				'title': _('Delete'),
				'class': 'btn cbi-button cbi-button-remove',
				'click': ui.createHandlerFn(this, 'handleRemove', section_id),
				'disabled': this.map.readonly || null
			}, [ _('Delete') ])
		]));
	}
});

// Editable options render as widgets in their cell, the others as text; only the editable
// ones are parsed on save.
const CBIGridSection = CBITableSection.extend({
	__name__: 'CBI.GridSection',
	tab(name, title, description) {
		CBIAbstractSection.prototype.tab.call(this, name, title, description);
	},
	renderUCISection(section_id) {
		return this.renderOptions(null, section_id);
	},
	renderChildren(tab_name, section_id, in_table) {
		const tasks = [];
		let index = 0;
		for (let i = 0, opt; (opt = this.children[i]) != null; i++) {
			if (opt.disable || opt.modalonly)
				continue;
			if (opt.editable)
				tasks.push(opt.render(index++, section_id, in_table));
			else
				tasks.push(this.renderTextValue(section_id, opt));
		}
		return Promise.all(tasks);
	},
	renderTextValue(section_id, opt) {
		const title = this.stripTags(opt.title).trim(), value = opt.textvalue(section_id);
		return E('td', {
			'class': 'td cbi-value-field',
			'data-title': (title != '') ? title : null,
			'data-name': opt.option,
			'data-widget': 'CBI.DummyValue'
		}, (value != null) ? value : E('em', _('none')));
	},
	parse() {
		const section_ids = this.cfgsections(), tasks = [];
		for (let i = 0; i < section_ids.length; i++)
			for (let j = 0; j < this.children.length; j++) {
				if (!this.children[j].editable || this.children[j].modalonly)
					continue;
				tasks.push(this.children[j].parse(section_ids[i]));
			}
		return Promise.all(tasks);
	}
});

// cfgsections is always [ section ], present in the config or not.
const CBINamedSection = CBIAbstractSection.extend({
	__name__: 'CBI.NamedSection',
	__init__(map, section_id, ...args) {
		this.super('__init__', [ map, ...args ]);
		this.section = section_id;
	},
	cfgsections() {
		return [ this.section ];
	},
	handleAdd(ev) {
		this.map.data.add(this.uciconfig ?? this.map.config, this.sectiontype, this.section);
		return this.map.save(null, true);
	},
	handleRemove(ev) {
		this.map.data.remove(this.uciconfig ?? this.map.config, this.section);
		return this.map.save(null, true);
	},
	renderContents(data) {
		const ucidata = data[0], nodes = data[1], config_name = this.uciconfig ?? this.map.config;
		const sectionEl = E('div', { 'id': ucidata ? null : 'cbi-%s-%s'.format(config_name, this.section), 'class': 'cbi-section' });
		if (typeof this.title === 'string' && this.title !== '')
			sectionEl.appendChild(E('h3', {}, this.title));
		if (typeof this.description === 'string' && this.description !== '')
			sectionEl.appendChild(E('div', { 'class': 'cbi-section-descr' }, this.description));
		if (ucidata) {
			if (this.addremove)
				sectionEl.appendChild(E('div', { 'class': 'cbi-section-remove right' }, E('button', {
					'class': 'cbi-button',
					'click': ui.createHandlerFn(this, 'handleRemove'),
					'disabled': this.map.readonly || null
				}, [ _('Delete') ])));
			sectionEl.appendChild(E('div', {
				'id': 'cbi-%s-%s'.format(config_name, this.section),
				'class': this.tabs ? 'cbi-section-node cbi-section-node-tabbed' : 'cbi-section-node',
				'data-section-id': this.section
			}, nodes));
		}
		else if (this.addremove) {
			sectionEl.appendChild(E('button', {
				'class': 'cbi-button cbi-button-add',
				'click': ui.createHandlerFn(this, 'handleAdd'),
				'disabled': this.map.readonly || null
			}, [ _('Add') ]));
		}
		dom.bindClassInstance(sectionEl, this);
		return sectionEl;
	},
	render() {
		const config_name = this.uciconfig ?? this.map.config;
		return Promise.all([
			this.map.data.get(config_name, this.section),
			this.renderUCISection(this.section)
		]).then(this.renderContents.bind(this));
	}
});

const CBIValue = CBIAbstractValue.extend({
	__name__: 'CBI.Value',
	value(key, val) {
		this.keylist ??= [];
		this.keylist.push(String(key));
		this.vallist ??= [];
		this.vallist.push(dom.elem(val) ? val : String(val != null ? val : key));
	},
	render(option_index, section_id, in_table) {
		return Promise.resolve(this.cfgvalue(section_id))
			.then(this.renderWidget.bind(this, section_id, option_index))
			.then(this.renderFrame.bind(this, section_id, in_table, option_index));
	},
	// In a table: td[data-name] > div[data-field=<cbid>]; else div.cbi-value[data-field] with
	// a label for widget.<cbid>.
	renderFrame(section_id, in_table, option_index, nodes) {
		const config_name = this.uciconfig ?? this.section.uciconfig ?? this.map.config;
		const depend_list = this.transformDepList(section_id);
		let optionEl;
		if (in_table) {
			const title = this.stripTags(this.title).trim();
			optionEl = E('td', {
				'class': 'td cbi-value-field',
				'data-title': (title != '') ? title : null,
				'data-description': this.stripTags(this.description).trim(),
				'data-name': this.option,
				'data-widget': this.typename || this.__name__
			}, E('div', {
				'id': 'cbi-%s-%s-%s'.format(config_name, section_id, this.option),
				'data-index': option_index,
				'data-depends': depend_list,
				'data-field': this.cbid(section_id)
			}));
		}
		else {
			optionEl = E('div', {
				'class': 'cbi-value',
				'id': 'cbi-%s-%s-%s'.format(config_name, section_id, this.option),
				'data-index': option_index,
				'data-depends': depend_list,
				'data-field': this.cbid(section_id),
				'data-name': this.option,
				'data-widget': this.typename || this.__name__
			});
			if (typeof this.title === 'string' && this.title !== '') {
				optionEl.appendChild(E('label', {
					'class': 'cbi-value-title',
					'for': 'widget.cbid.%s.%s.%s'.format(config_name, section_id, this.option)
				}, this.title));
				optionEl.appendChild(E('div', { 'class': 'cbi-value-field' }));
			}
		}
		if (nodes)
			(optionEl.lastChild ?? optionEl).appendChild(nodes);
		if (!in_table && typeof this.description === 'string' && this.description !== '')
			dom.append(optionEl.lastChild ?? optionEl, E('div', { 'class': 'cbi-value-description' }, this.description.trim()));
		if (depend_list && depend_list.length)
			optionEl.classList.add('hidden');
		optionEl.addEventListener('widget-change', L.bind(this.map.checkDepends, this.map));
		dom.bindClassInstance(optionEl, this);
		return optionEl;
	},
	renderWidget(section_id, option_index, cfgvalue) {
		const value = (cfgvalue != null) ? cfgvalue : this.default;
		const widget = new ui.Textfield(Array.isArray(value) ? value.join(' ') : value, {
			id: this.cbid(section_id),
			password: this.password,
			optional: this.optional || this.rmempty,
			datatype: this.datatype,
			placeholder: this.placeholder,
			validate: L.bind(this.validate, this, section_id),
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly
		});
		return widget.render();
	}
});

const CBIDynamicList = CBIValue.extend({
	__name__: 'CBI.DynamicList',
	renderWidget(section_id, option_index, cfgvalue) {
		const value = (cfgvalue != null) ? cfgvalue : this.default;
		const widget = new ui.DynamicList(L.toArray(value), this.transformChoices(), {
			id: this.cbid(section_id),
			sort: this.keylist,
			optional: this.optional || this.rmempty,
			datatype: this.datatype,
			placeholder: this.placeholder,
			validate: L.bind(this.validate, this, section_id),
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly
		});
		return widget.render();
	}
});

// A select: optional only through an empty-key choice (or `optional`), not rmempty.
const CBIListValue = CBIValue.extend({
	__name__: 'CBI.ListValue',
	__init__(...args) {
		this.super('__init__', args);
		this.widget = 'select';
		this.orientation = 'horizontal';
		this.deplist = [];
	},
	renderWidget(section_id, option_index, cfgvalue) {
		const widget = new ui.Select((cfgvalue != null) ? cfgvalue : this.default, this.transformChoices(), {
			id: this.cbid(section_id),
			size: this.size,
			sort: this.keylist,
			widget: this.widget,
			optional: this.optional,
			orientation: this.orientation,
			placeholder: this.placeholder,
			validate: L.bind(this.validate, this, section_id),
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly
		});
		return widget.render();
	}
});

const CBIFlagValue = CBIValue.extend({
	__name__: 'CBI.FlagValue',
	__init__(...args) {
		this.super('__init__', args);
		this.enabled = '1';
		this.disabled = '0';
		this.default = this.disabled;
	},
	renderWidget(section_id, option_index, cfgvalue) {
		const widget = new ui.Checkbox((cfgvalue != null) ? cfgvalue : this.default, {
			id: this.cbid(section_id),
			value_enabled: this.enabled,
			value_disabled: this.disabled,
			validate: L.bind(this.validate, this, section_id),
			disabled: (this.readonly != null) ? this.readonly : this.map.readonly
		});
		return widget.render();
	},
	formvalue(section_id) {
		const elem = this.getUIElement(section_id);
		return (elem ? elem.isChecked() : false) ? this.enabled : this.disabled;
	},
	textvalue(section_id) {
		let cval = this.cfgvalue(section_id);
		if (cval == null)
			cval = this.default;
		return (cval == this.enabled) ? _('Yes') : _('No');
	},
	// Writes whatever the box says unless it equals the default and rmempty (then removes).
	parse(section_id) {
		if (this.isActive(section_id)) {
			const fval = this.formvalue(section_id);
			if (!this.isValid(section_id)) {
				const title = this.stripTags(this.title).trim();
				return Promise.reject(new TypeError(`${_('Option "%s" contains an invalid input value.').format(title || this.option)} ${this.getValidationError(section_id)}`));
			}
			if (fval == this.default && (this.optional || this.rmempty))
				return Promise.resolve(this.remove(section_id));
			return Promise.resolve(this.write(section_id, fval));
		}
		else if (!this.retain) {
			return Promise.resolve(this.remove(section_id));
		}
	}
});

const CBIDummyValue = CBIValue.extend({
	__name__: 'CBI.DummyValue',
	renderWidget(section_id, option_index, cfgvalue) {
		const value = (cfgvalue != null) ? cfgvalue : this.default;
		const hiddenEl = new ui.Hiddenfield(value, { id: this.cbid(section_id) });
		const outputEl = E('div', { 'style': this.hidden ? 'display:none' : null });
		dom.append(outputEl, this.rawhtml ? value : [ value ]);
		return E([ outputEl, hiddenEl.render() ]);
	},
	remove() {},
	write() {}
});

return baseclass.extend({
	Map: CBIMap,
	AbstractSection: CBIAbstractSection,
	AbstractValue: CBIAbstractValue,
	TypedSection: CBITypedSection,
	TableSection: CBITableSection,
	GridSection: CBIGridSection,
	NamedSection: CBINamedSection,
	Value: CBIValue,
	DynamicList: CBIDynamicList,
	ListValue: CBIListValue,
	Flag: CBIFlagValue,
	DummyValue: CBIDummyValue
});
