// Settings: the LAN proxy. Fields show only where they apply (LuCI `depends`): LAN UDP through
// the server only with the relay engine (mpwan refuses udp 'server' with a shadowsocks engine,
// which carries TCP only), and `duplicate` only for UDP through the server.
import form from 'luci/form';
import uci from 'luci/uci';
import widgets from 'luci/tools.widgets';
import { duplicateMatch, prefix } from '../../../../src/config/value-types.js';
import { engineOf, type Section } from '../lib/coherence.js';
import { mpwanSection, parsedBy } from '../lib/form.js';

/** The config's sections with their values now (uci.js's, staged changes included). */
export function configSections(): Section[] {
  return uci.sections('mpwan').map((s) => {
    const out: Section = { '.type': s['.type'], '.name': s['.name'] };
    // uci.sections keeps an option deleted in this session; uci.get does not.
    for (const k of Object.keys(s)) if (k[0] !== '.') out[k] = uci.get('mpwan', s['.name'], k) ?? undefined;
    return out;
  });
}

/** An engine field for a proxy without `engine` shows the engine mpwan runs for it (from the
 *  server's secret), not a fixed default: a Save that leaves it alone then writes nothing. */
function showsEngineInForce(o: LuCI.AbstractValue): void {
  const load = o.load;
  o.load = function (this: LuCI.AbstractValue, sid: string) {
    const v = load.call(this, sid);
    return v === null || v === undefined || v === '' ? engineOf(undefined, configSections()) : v;
  };
}

/** Hidden, `udp` keeps its value unless it is 'server', which mpwan would refuse then. */
function dropsRefusedWhenHidden(o: LuCI.AbstractValue): void {
  const parse = o.parse;
  o.retain = true;
  o.parse = function (this: LuCI.AbstractValue, sid: string) {
    if (!this.isActive(sid) && this.cfgvalue(sid) === 'server') return Promise.resolve(this.remove(sid));
    return parse.call(this, sid);
  };
}

// Titles and descriptions are markup to form.js (innerHTML): no '<' in them.
export function proxySection(m: LuCI.FormMap): void {
  const s = mpwanSection(m.section(form.TypedSection, 'proxy', _('LAN proxy'),
    _('Sends LAN TCP, and with mpwan-relay LAN UDP, through the aggregation server over all uplinks. Needs an enabled server.')), 'proxy');
  s.addremove = true;
  s.anonymous = true;
  // mpwan takes one proxy section: no Add button once there is one.
  const renderAdd = s.renderSectionAdd;
  s.renderSectionAdd = function (this: LuCI.AbstractSection, extraClass?: string) {
    return this.cfgsections().length > 0 ? E('div', {}, []) : renderAdd.call(this, extraClass);
  };

  let o = s.option(form.Flag, 'enabled', _('Enabled'));
  o.default = '1';
  o.rmempty = false;
  o = s.option(form.ListValue, 'engine', _('Engine'),
    _('mpwan-relay (built in) authenticates every connection and datagram with the server key but does not encrypt them: your ISPs see the traffic as they would without mpwan (most of it is TLS anyway). For an encrypted tunnel choose a shadowsocks engine, where it is installed; those carry TCP only, so LAN UDP then goes direct.'));
  // Labels short enough for a theme's fixed-width select (bootstrap: 210 px); the description says the rest.
  o.value('relay', _('mpwan-relay (built in)'));
  o.value('shadowsocks-rust', 'shadowsocks-rust');
  o.value('shadowsocks-libev', 'shadowsocks-libev');
  o.default = 'relay';
  showsEngineInForce(o);
  o = s.option(form.Value, 'port', _('Local port'));
  o.placeholder = '1100';
  o = s.option(form.Value, 'threads', _('Threads'));
  o = s.option(form.Value, 'check_interval', _('Server check interval (s)'));
  o.placeholder = '10';
  o = s.option(form.Value, 'hold_down', _('Hold-down (s)'),
    _('With several servers: how long a more preferred server must answer again before new LAN traffic goes back to it.'));
  o.placeholder = '60';
  o = s.option(form.ListValue, 'quic', _('QUIC (UDP port 443)'),
    _('LAN UDP to port 443 of proxied destinations. Refused: browsers fall back to TCP, which the proxy aggregates. Direct: QUIC passes by one uplink, not aggregated.'));
  o.value('tcp', _('refuse (use TCP)'));
  o.value('direct', _('direct'));
  o.default = 'tcp';
  o = s.option(form.ListValue, 'udp', _('LAN UDP'),
    _('Through the server: the rest of LAN UDP (calls, games, VPNs) goes through mpwan-relay and keeps its public address when an uplink dies. Direct: it leaves by the best healthy uplink and gets a new address when that one dies.'));
  o.value('server', _('through the server'));
  o.value('direct', _('direct'));
  o.default = 'server';
  o.depends('engine', 'relay');
  dropsRefusedWhenHidden(o);
  o = s.option(form.DynamicList, 'duplicate', _('Send on two uplinks'),
    _('LAN UDP sent over two uplinks at once, so an uplink dying loses none of its packets; it costs twice the upload of those flows. One match per entry: dscp:ef (voice calls that mark their packets), dscp:af41 (video calls), port:3478 (STUN/TURN of WebRTC calls); port: takes any destination port.'));
  o.placeholder = 'dscp:ef';
  o.validate = parsedBy(duplicateMatch);
  o.depends('udp', 'server');
  o.retain = true;
  o = s.option(form.ListValue, 'congestion', _('Congestion control'),
    _('Of mpwan-relay\'s connections to the server. BBR keeps a lossy uplink (LTE) carrying its share of an upload where loss-based control (cubic, reno) backs off. Where the kernel lacks the chosen one, the router\'s default applies.'));
  o.value('bbr', 'bbr');
  o.value('cubic', 'cubic');
  o.value('reno', 'reno');
  o.value('system', _('the router\'s default'));
  o.default = 'bbr';
  o.depends('engine', 'relay');
  const lan = s.option(widgets.NetworkSelect, 'lan', _('LAN interfaces'));
  lan.multiple = true;
  lan.nocreate = true;
  lan.default = ['lan'];
  o = s.option(form.DynamicList, 'bypass', _('Bypass'), _('Destinations reached directly, not through the server: addresses or prefixes (192.0.2.0/24).'));
  o.validate = parsedBy(prefix);
}
