import assert from 'node:assert/strict';
import { importServer, otherEngineServers, removeServer } from '../../src/config/server-edit.js';
import { validateConfig } from '../../src/config/validate.js';
import { serverOrder } from '../../src/config/servers.js';

const KEY_A = 'ab'.repeat(32);
const KEY_B = 'cd'.repeat(32);
const relay = (host: string, key = KEY_A, port = 8400) => ({ host, port, key });
const base = "config globals 'globals'\n\toption enabled '1'\n\nconfig uplink 'wan'\n";
const valid = (text: string) => validateConfig(text, 'mpwan');

describe('server import and remove (config text)', () => {
  it('the first import adds vps and an enabled proxy; the next adds vps2 after it, the others untouched', () => {
    const one = importServer(base, relay('203.0.113.7'), 'relay');
    assert.deepEqual([one.name, one.action], ['vps', 'added']);
    assert.equal(one.text, `${base}\nconfig server 'vps'\n\toption host '203.0.113.7'\n\toption port '8400'\n\toption key '${KEY_A}'\n\toption enabled '1'\n\n` +
      "config proxy 'proxy'\n\toption enabled '1'\n\toption engine 'relay'\n");
    const two = importServer(one.text, relay('203.0.113.8', KEY_B), 'relay');
    assert.deepEqual([two.name, two.action], ['vps2', 'added']);
    assert.ok(two.text.startsWith(one.text), 'appended: every byte before stays');
    const c = valid(two.text).config!;
    assert.deepEqual(serverOrder(c.servers).map((s) => [s.name, s.host, s.key]), [['vps', '203.0.113.7', KEY_A], ['vps2', '203.0.113.8', KEY_B]]);
  });

  it('the same host and port updates that server\'s key (and enables it), keeping its name and priority', () => {
    let text = importServer(base, relay('203.0.113.7'), 'relay', { priority: 10 }).text;
    text = importServer(text, relay('203.0.113.8'), 'relay').text.replace("option host '203.0.113.7'", "option host '203.0.113.7'\n\toption enabled '0'");
    const r = importServer(text, relay('203.0.113.7', KEY_B), 'relay', { name: 'ignored' });
    assert.deepEqual([r.name, r.action], ['vps', 'updated']);
    const vps = valid(r.text).config!.servers.find((s) => s.name === 'vps')!;
    assert.deepEqual([vps.key, vps.enabled, vps.priority, vps.port], [KEY_B, true, 10, 8400]);
    assert.equal(valid(r.text).config!.servers.length, 2);
    // An IPv6 host written another way is the same host.
    const v6 = importServer(importServer(base, relay('2001:db8::7'), 'relay').text, relay('2001:DB8:0::7', KEY_B), 'relay');
    assert.equal(v6.action, 'updated');
    assert.equal(importServer(text, relay('203.0.113.7', KEY_B, 8401), 'relay').action, 'added', 'another port is another server');
  });

  it('a new server never overwrites another section; --name and --priority', () => {
    const one = importServer(base, relay('203.0.113.7'), 'relay').text;
    assert.throws(() => importServer(one, relay('203.0.113.8'), 'relay', { name: 'vps' }), /a section named 'vps' exists already and is not 203\.0\.113\.8:8400: choose another --name, or 'mpwan server remove vps' first/);
    assert.throws(() => importServer(one, relay('203.0.113.8'), 'relay', { name: 'wan' }), /a section named 'wan' exists/);
    const named = importServer(one, relay('203.0.113.8'), 'relay', { name: 'backup_vps', priority: 5 });
    assert.equal(named.name, 'backup_vps');
    assert.deepEqual(serverOrder(valid(named.text).config!.servers).map((s) => s.name), ['backup_vps', 'vps']);
  });

  it('an ss:// link sets the shadowsocks engine and leaves LAN UDP to the normal route; servers of the other engine are named', () => {
    const ss = { host: '203.0.113.9', port: 8388, method: 'aes-256-gcm' as const, password: 'pw' };
    const one = importServer(base, relay('203.0.113.7'), 'relay').text.replace("option engine 'relay'", "option engine 'relay'\n\toption udp 'server'");
    assert.deepEqual(otherEngineServers(one, ss), ['vps']);
    assert.deepEqual(otherEngineServers(one, relay('203.0.113.8')), []);
    assert.deepEqual(otherEngineServers(one.replace("option enabled '1'\n\nconfig proxy", "option enabled '0'\n\nconfig proxy"), ss), [], 'a disabled one is not used');
    assert.deepEqual(otherEngineServers(one, { ...ss, host: '203.0.113.7', port: 8400 }), [], 'the same server, given another engine');
    const r = importServer(removeServer(one, 'vps').text, ss, 'shadowsocks-libev');
    const c = valid(r.text).config!;
    assert.deepEqual([c.proxy.engine, c.proxy.udp, c.proxy.enabled], ['shadowsocks-libev', 'direct', true]);
    assert.deepEqual(c.servers.map((s) => [s.name, s.password, s.method]), [['vps', 'pw', 'aes-256-gcm']]);
  });

  it('remove takes out the section; without an enabled server left the proxy is turned off', () => {
    const two = importServer(importServer(base, relay('203.0.113.7'), 'relay').text, relay('203.0.113.8'), 'relay').text;
    const one = removeServer(two, 'vps');
    assert.equal(one.proxyOff, false);
    assert.deepEqual(valid(one.text).config!.servers.map((s) => s.name), ['vps2']);
    const none = removeServer(one.text, 'vps2');
    assert.equal(none.proxyOff, true);
    const c = valid(none.text).config!;
    assert.deepEqual([c.servers.length, c.proxy.enabled], [0, false]);
    assert.throws(() => removeServer(two, 'wan'), /no server 'wan' in the config \(servers: vps, vps2\)/);
    assert.throws(() => removeServer(base, 'vps'), /no server 'vps' in the config \(there is none\)/);
  });
});
