import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { METHODS } from '../../src/rpc/methods.js';
import { rpcList } from '../../src/rpc/dispatch.js';

describe('rpcd ACL', () => {
  const acl = JSON.parse(readFileSync(new URL('../../luci-app/luci-app-mpwan/root/usr/share/rpcd/acl.d/luci-app-mpwan.json', import.meta.url), 'utf8'))['luci-app-mpwan'];

  it('grants read-only methods under read and mutating ones under write, each exactly once', () => {
    const names = Object.keys(METHODS);
    assert.deepEqual([...acl.read.ubus.mpwan].sort(), names.filter((n) => !METHODS[n].mutates).sort());
    assert.deepEqual([...acl.write.ubus.mpwan].sort(), names.filter((n) => METHODS[n].mutates).sort());
  });

  it('gives uci access to the mpwan config only', () => {
    assert.deepEqual([acl.read.uci, acl.write.uci], [['mpwan'], ['mpwan']]);
  });

  it('lists every method with example arguments of the right JSON type', () => {
    assert.deepEqual(Object.keys(rpcList()), Object.keys(METHODS));
    assert.deepEqual(rpcList().set_uplink, { uplink: 'wan', mode: 'on' });
  });
});
