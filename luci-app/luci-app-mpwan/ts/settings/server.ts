// Settings: the aggregation server. Its secret follows the LAN proxy's engine: the relay key
// for mpwan-relay, password and cipher for the shadowsocks engines; the others are hidden
// (and kept: a hidden secret is not deleted). A pasted mpwan:// or ss:// link fills it all.
import form from 'luci/form';
import uci from 'luci/uci';
import { SS_METHODS } from '../../../../src/model/config.js';
import { host, password, relayKey } from '../../../../src/config/value-types.js';
import { parseServerLink } from '../../../../src/server/uri.js';
import { mpwanSection, parsedBy } from '../lib/form.js';

const SHADOWSOCKS = ['shadowsocks-rust', 'shadowsocks-libev'];

/**
 * Shows `o` only for these engines of the proxy section `proxySid`. LuCI reads a dependency on
 * another section as '<config>.<section>.<option>' (form.js lookupOption); without a proxy
 * section (or after adding one, whose id the form did not know) the option always shows.
 */
function forEngines(o: LuCI.AbstractValue, proxySid: string | null, engines: string[]): void {
  o.retain = true;
  if (proxySid) for (const e of engines) o.depends(`mpwan.${proxySid}.engine`, e);
}

/** As `mpwan server import` does: the link's secret, the other engine's removed, and the
 *  proxy's engine set to the one that reads the link. */
function importLink(sid: string, l: ReturnType<typeof parseServerLink>): void {
  uci.set('mpwan', sid, 'host', l.host);
  uci.set('mpwan', sid, 'port', String(l.port));
  if ('key' in l) {
    uci.set('mpwan', sid, 'key', l.key);
    uci.unset('mpwan', sid, 'password');
    uci.unset('mpwan', sid, 'method');
  } else {
    uci.set('mpwan', sid, 'method', l.method);
    uci.set('mpwan', sid, 'password', l.password);
    uci.unset('mpwan', sid, 'key');
  }
  for (const p of uci.sections('mpwan', 'proxy')) {
    const current = uci.get('mpwan', p['.name'], 'engine');
    // The form cannot ask which shadowsocks is installed (the CLI does): a chosen one stays.
    const engine = 'key' in l ? 'relay' : SHADOWSOCKS.includes(String(current)) ? String(current) : 'shadowsocks-rust';
    uci.set('mpwan', p['.name'], 'engine', engine);
    // mpwan refuses LAN UDP through the server with a shadowsocks engine (TCP only).
    if (!('key' in l) && uci.get('mpwan', p['.name'], 'udp') === 'server') uci.unset('mpwan', p['.name'], 'udp');
  }
}

export function serverSection(m: LuCI.FormMap, proxySid: string | null): void {
  const s = mpwanSection(m.section(form.TypedSection, 'server', _('Aggregation server'),
    _('Your own server that reassembles the subflows (set it up there with: mpwan server setup). The fields shown follow the LAN proxy\'s engine: the relay key for mpwan-relay, password and cipher for shadowsocks.')), 'server');
  s.addremove = true;
  s.anonymous = false;

  let o = s.option(form.Flag, 'enabled', _('Enabled'));
  o.default = '1';
  o.rmempty = false;
  // host is required: an empty field must not remove it.
  o = s.option(form.Value, 'host', _('Host'));
  o.rmempty = false;
  o.validate = parsedBy(host);
  o = s.option(form.Value, 'port', _('Port'));
  o.placeholder = '8388';
  o = s.option(form.Value, 'key', _('Relay key'),
    _('Used by engine mpwan-relay: it authenticates every connection and datagram, it does not encrypt them. Import the mpwan:// link below rather than typing it.'));
  o.password = true;
  o.validate = parsedBy(relayKey);
  forEngines(o, proxySid, ['relay']);
  o = s.option(form.Value, 'password', _('Password'), _('Used by the shadowsocks engines.'));
  o.password = true;
  o.validate = parsedBy(password);
  forEngines(o, proxySid, SHADOWSOCKS);
  o = s.option(form.ListValue, 'method', _('Cipher'), _('Used by the shadowsocks engines.'));
  for (const mth of SS_METHODS) o.value(mth);
  o.default = 'chacha20-ietf-poly1305';
  forEngines(o, proxySid, SHADOWSOCKS);

  // Not a UCI option: a pasted link fills host, port and the secret. It is the last option
  // of the server, and the proxy section comes after: its write wins over the fields above,
  // and the proxy's engine field, left as it was, does not overwrite the engine it sets.
  o = s.option(form.Value, '_import', _('Import link'),
    _('Paste the mpwan:// (or ss://) link printed by mpwan server setup; it replaces the fields above and sets the LAN proxy\'s engine to the one that reads it.'));
  o.placeholder = 'mpwan://…';
  o.cfgvalue = () => '';
  o.validate = (_sid: string, v: string) => {
    if (!v) return true;
    try { parseServerLink(v); return true; } catch (e) { return (e as Error).message; }
  };
  o.write = (sid: string, v: string | string[]) => importLink(sid, parseServerLink(String(v)));
  o.remove = () => {};
}
