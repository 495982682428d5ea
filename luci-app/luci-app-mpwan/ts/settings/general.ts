// Settings: the globals (general, MPTCP sysctls, health checks, routing ranges) and the uplinks,
// in the grid and again for their own health checks.
import form from 'luci/form';
import { byteSize, ipAddress } from '../../../../src/config/value-types.js';
import { mpwanSection, parsedBy } from '../lib/form.js';

export function globalsSection(m: LuCI.FormMap): void {
  const s = mpwanSection(m.section(form.NamedSection, 'globals', 'globals', _('General')), 'globals');
  s.addremove = false;
  s.tab('general', _('General'));
  s.tab('mptcp', _('MPTCP (kernel)'), _('Empty fields keep what the kernel has.'));
  s.tab('health', _('Health checks'), _('Defaults for every uplink; an uplink may set its own under Health checks per uplink.'));
  s.tab('ranges', _('Routing ranges'));

  let o = s.taboption('general', form.Flag, 'enabled', _('Enabled'), _('Off removes every endpoint, rule and route mpwan added.'));
  o.default = '1';
  o.rmempty = false;
  o = s.taboption('general', form.Flag, 'default_route', _('Default route follows health'),
    _('Traffic without a more specific route (DNS, UDP, the router\'s own) leaves by the best healthy uplink, and flows on an uplink that fails move to another. Off leaves the default route to netifd. While mwan3 runs, mwan3 manages it.'));
  o.default = '1';
  o = s.taboption('general', form.Value, 'subflows', _('Minimum subflows'), _('mpwan raises the kernel limit to one per endpoint; never above 8.'));
  o.placeholder = '0';
  o = s.taboption('general', form.Value, 'add_addr_accepted', _('Minimum addresses accepted'));
  o.placeholder = '0';
  o = s.taboption('general', form.Flag, 'rp_filter_loose', _('Loose reverse-path filter'), _('Strict filtering on uplink devices drops replies to subflows.'));
  o.default = '1';

  o = s.taboption('mptcp', form.Value, 'scheduler', _('Scheduler'), _('One of net.mptcp.available_schedulers.'));
  o = s.taboption('mptcp', form.ListValue, 'path_manager', _('Path manager'));
  o.value('', _('kernel default'));
  o.value('kernel');
  o.value('userspace');
  o = s.taboption('mptcp', form.ListValue, 'checksum', _('Checksums'), _('On for middleboxes that rewrite payloads.'));
  onOff(o);
  o = s.taboption('mptcp', form.ListValue, 'allow_join_initial_addr_port', _('Joins to the first address'),
    _('Whether the peer may open subflows to the address and port of the first subflow.'));
  onOff(o);
  o = s.taboption('mptcp', form.Value, 'add_addr_timeout', _('ADD_ADDR timeout (s)'), _('Seconds before an unacknowledged address announcement is sent again.'));
  o = s.taboption('mptcp', form.Value, 'close_timeout', _('Close timeout (s)'), _('Seconds a connection without subflows stays open.'));
  o = s.taboption('mptcp', form.Value, 'stale_loss_cnt', _('Stale loss count'), _('Lower moves traffic off a stalled uplink sooner.'));
  o = s.taboption('mptcp', form.Value, 'blackhole_timeout', _('Blackhole timeout (s)'), _('0: never turn MPTCP off after dropped SYNs.'));
  o = s.taboption('mptcp', form.Value, 'syn_retrans_before_tcp_fallback', _('SYN retransmissions before TCP fallback'));

  o = s.taboption('health', form.Value, 'probe_interval', _('Probe interval (s)'),
    _('Seconds between probe rounds through each uplink: 0.2 to 3600, tenths only below 10 (0.5, 2.5, 30).'));
  o.placeholder = '0.5';
  o = s.taboption('health', form.Value, 'probe_timeout', _('Probe timeout (s)'), _('Whole seconds a probe waits for an answer.'));
  o.placeholder = '1';
  o = s.taboption('health', form.Value, 'down_after', _('Down after'), _('Rounds without an answer before the uplink is withdrawn.'));
  o.placeholder = '3';
  o = s.taboption('health', form.Value, 'up_after', _('Up after'), _('Answered rounds in a row before it returns.'));
  o.placeholder = '3';
  o = s.taboption('health', form.ListValue, 'on_down', _('On failure'));
  o.value('withdraw', _('withdraw its endpoints'));
  o.value('backup', _('keep them as backup'));
  o.default = 'withdraw';
  o = s.taboption('health', form.Flag, 'probe_server', _('Probe the server'), _('Also open a TCP connection to the aggregation server through each uplink.'));
  o.default = '1';
  o = s.taboption('health', form.DynamicList, 'probe_host', _('Probe hosts'), _('IP addresses to ping through each uplink (default: the aggregation server).'));
  o.validate = parsedBy(ipAddress);

  o = s.taboption('ranges', form.Value, 'table_base', _('First routing table'),
    _('mpwan owns this table and the next 63; they must miss 0, mwan3\'s 1-60 and the kernel\'s 253-255.'));
  o.placeholder = '5100';
  o = s.taboption('ranges', form.Value, 'rule_pref', _('Rule priority'),
    _('mpwan\'s rules take this priority and the next five; they must come before the main table (32766) and miss mwan3\'s 1000-3999 and netifd\'s 10000 and 20000.'));
  o.placeholder = '5000';
}

/** A kernel switch mpwan sets only when chosen. */
function onOff(o: LuCI.AbstractValue): void {
  o.value('', _('kernel default'));
  o.value('0', _('off'));
  o.value('1', _('on'));
}

export function uplinksSection(m: LuCI.FormMap): void {
  const s = mpwanSection(m.section(form.GridSection, 'uplink', _('Uplinks'),
    _('One row per netifd interface (the row name is the interface, e.g. wan), at most 63. Add new uplinks at the end: each one\'s routing table follows its position.')), 'uplink');
  s.addremove = true;
  s.anonymous = false;
  s.nodescriptions = true;
  s.addbtntitle = _('Add uplink');

  let o = s.option(form.ListValue, 'mode', _('Mode'));
  // Absent, mpwan takes 'on', or 'backup' for a metered uplink: the empty choice says so.
  o.value('', _('default: on (backup when metered)'));
  o.value('on', _('on: carries traffic'));
  o.value('backup', _('backup: only when no "on" uplink works'));
  o.value('off', _('off: not used'));
  o.editable = true;
  o = s.option(form.Value, 'priority', _('Priority'), _('Lower ranks first when more than 8 endpoints are wanted.'));
  o.placeholder = '50';
  o.editable = true;
  o = s.option(form.Flag, 'ula', _('Use ULA'), _('Also use IPv6 unique-local addresses (fc00::/7).'));
  o.editable = true;
  o = s.option(form.Flag, 'fullmesh', _('Full mesh'), _('One subflow to every address of the peer.'));
  o.editable = true;
  // Only for the TCP buffer limits (mpwan raises the router's, status warns about the server's).
  o = s.option(form.Value, 'download', _('Download (Mbit/s)'), _('What the link carries: with the RTT, mpwan sizes TCP buffers for it.'));
  o.editable = true;
  o = s.option(form.Value, 'upload', _('Upload (Mbit/s)'));
  o.editable = true;
  o = s.option(form.Value, 'rtt', _('RTT (ms)'), _('The link\'s idle round trip; empty: what the relay measures.'));
  o.editable = true;
}

/** The same uplink sections again, for what a metered uplink (LTE, satellite) may carry. */
export function uplinkQuotaSection(m: LuCI.FormMap): void {
  const s = mpwanSection(m.section(form.TypedSection, 'uplink', _('Metered uplinks'),
    _('A metered uplink\'s endpoint is backup unless its mode is on, and UDP and the default route prefer the others. Bytes both ways are counted per period; at 80% and 100% of the quota mpwan logs it and sends an event.')), 'uplink');
  s.addremove = false;
  s.anonymous = false;

  let o = s.option(form.Flag, 'metered', _('Metered'), _('Its data costs money (LTE, satellite).'));
  o = s.option(form.Value, 'quota', _('Quota'), _('Bytes per period, both ways together: 500M, 20G, 1.5T (powers of 1000). Empty: no quota.'));
  o.validate = parsedBy(byteSize);
  o.depends('metered', '1');
  o = s.option(form.ListValue, 'quota_period', _('Period'));
  o.value('month', _('a month, from its reset day'));
  o.value('day', _('a day, from midnight'));
  o.default = 'month';
  o.depends('metered', '1');
  o = s.option(form.Value, 'quota_reset_day', _('Reset day'), _('The day of the month the count starts again (31: the last day of shorter months).'));
  o.placeholder = '1';
  o.depends('quota_period', 'month');
  o = s.option(form.ListValue, 'quota_action', _('At the quota'));
  o.value('backup', _('backup: only when no unmetered uplink works'));
  o.value('off', _('off: not used until the period ends'));
  o.default = 'backup';
  o.depends('metered', '1');
}

/** The same uplink sections again, for the health-check options an uplink may override:
 *  too many for the grid's row. Empty takes the general setting. */
export function uplinkHealthSection(m: LuCI.FormMap): void {
  const s = mpwanSection(m.section(form.TypedSection, 'uplink', _('Health checks per uplink'),
    _('Empty fields take the general setting (General > Health checks).')), 'uplink');
  s.addremove = false;
  s.anonymous = false;

  let o = s.option(form.DynamicList, 'probe_host', _('Probe hosts'), _('IP addresses pinged through this uplink.'));
  o.validate = parsedBy(ipAddress);
  o = s.option(form.ListValue, 'probe_server', _('Probe the server'));
  o.value('', _('general setting'));
  o.value('1', _('yes'));
  o.value('0', _('no'));
  o = s.option(form.Value, 'probe_interval', _('Probe interval (s)'));
  o = s.option(form.Value, 'probe_timeout', _('Probe timeout (s)'));
  o = s.option(form.Value, 'down_after', _('Down after'));
  o = s.option(form.Value, 'up_after', _('Up after'));
  o = s.option(form.ListValue, 'on_down', _('On failure'));
  o.value('', _('general setting'));
  o.value('withdraw', _('withdraw'));
  o.value('backup', _('backup'));
}
