'use strict';
'require form';

// Stand-in for luci-base's tools/widgets.js NetworkSelect. The real one lists netifd's networks
// (network.js) in a dropdown; here the names are typed into a list widget. The form semantics
// are the same: `multiple` gives a list value, otherwise the one name.

const CBINetworkSelect = form.DynamicList.extend({
	__name__: 'CBI.NetworkSelect',
	__init__(...args) {
		this.super('__init__', args);
		this.multiple = false;
		this.nocreate = false;
	},
	formvalue(section_id) {
		const v = form.DynamicList.prototype.formvalue.call(this, section_id);
		return this.multiple ? v : (v && v[0]) ?? '';
	}
});

return L.Class.extend({
	NetworkSelect: CBINetworkSelect
});
