// The rpcd plugin's own answer to `status` (rpc/quick.ts): only while the daemon runs and has
// written its report, only for `status` with no arguments; anything else goes to the method table.
import assert from 'node:assert/strict';
import type { Runtime } from '../../src/sys/runtime.js';
import { quickCall } from '../../src/rpc/quick.js';
import { METHODS } from '../../src/rpc/methods.js';

const RUN = '/run/mpwan';
const basis = {
  version: '0.1.0', uplinks: [{ name: 'wan', device: 'wan0', rx_bytes: 1, tx_bytes: 2, health: null }],
  counters: {}, daemon: { running: true, pid: 42, last_error: null },
  proxy: { enabled: false, udp: { mode: 'direct', duplicate: [] } }, default_route: [], sampled_ms: 0, config_error: null,
};
const daemon = { pid: 42, since: 0, proxy: null, proxy_error: null, reloads: 1, last_reload: null, last_error: null, default_route: [], config_error: null };

function runtime(files: Record<string, string>): Runtime {
  return {
    env: (name: string) => (name === 'MPWAN_RUN_DIR' ? RUN : undefined),
    readFile: (path: string) => files[path] ?? null,
  } as unknown as Runtime;
}

const running = {
  [`${RUN}/daemon.pid`]: '42\n',
  '/proc/42/cmdline': '/usr/bin/qjs\0/usr/sbin/mpwan\0daemon\0',
  [`${RUN}/daemon.json`]: JSON.stringify(daemon),
  [`${RUN}/status.json`]: JSON.stringify(basis),
  [`${RUN}/state.json`]: JSON.stringify({ updated: 1, uplinks: { wan: { state: 'up' } } }),
  '/sys/class/net/wan0/statistics/rx_bytes': '1000\n',
  '/sys/class/net/wan0/statistics/tx_bytes': '2000\n',
  '/proc/uptime': '12.5 10.0\n',
};

describe('rpc: status answered without the method table', () => {
  it('refreshes the running daemon\'s report: bytes, health, the daemon, the sample time', async () => {
    const s = await quickCall(runtime(running), 'status', '{"ubus_rpc_session":"x"}') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(s.uplinks, [{ name: 'wan', device: 'wan0', rx_bytes: 1000, tx_bytes: 2000, health: { state: 'up' } }]);
    assert.equal(s.sampled_ms, 12500);
    assert.deepEqual(s.daemon, { running: true, pid: 42, last_error: null });
  });

  it('leaves everything else to the method table', async () => {
    assert.equal(await quickCall(runtime(running), 'uplinks', ''), null);
    assert.equal(await quickCall(runtime(running), 'status', '{"extra":1}'), null, 'the table names the bad argument');
    assert.equal(await quickCall(runtime(running), 'status', '{'), null);
    const { [`${RUN}/status.json`]: _, ...noReport } = running;
    assert.equal(await quickCall(runtime(noReport), 'status', ''), null, 'no report yet: read everything afresh');
    const { [`${RUN}/daemon.pid`]: __, ...noDaemon } = running;
    assert.equal(await quickCall(runtime(noDaemon), 'status', ''), null, 'a report without a daemon is stale');
  });

  it('takes the arguments the table\'s status takes (none)', () => {
    assert.deepEqual(METHODS.status.args, {});
  });
});
