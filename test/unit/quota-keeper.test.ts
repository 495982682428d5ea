// The daemon's quota keeper on a fake router: counters in /sys, the clock moved by hand
// (across the reset day), the run dir and the state dir as files in memory.
import assert from 'node:assert/strict';
import { fakeRuntime } from './builders/fake-runtime.js';
import { QuotaKeeper, type QuotaCrossing } from '../../src/daemon/quotas.js';
import { config, uplink } from './builders/index.js';
import type { NetifdInterface } from '../../src/model/netifd.js';
import type { Runtime } from '../../src/sys/runtime.js';

const at = (iso: string) => Date.parse(iso);
const utc = () => 0;

function router() {
  const counters: Record<string, { rx: number; tx: number; ifindex: number }> = { wwan0: { rx: 0, tx: 0, ifindex: 7 }, eth1: { rx: 0, tx: 0, ifindex: 3 } };
  const disk = new Map<string, string>();
  let boot = 'boot-1';
  const flashWrites: number[] = [];
  const fake = fakeRuntime({
    files: (p) => {
      if (p === '/proc/sys/kernel/random/boot_id') return `${boot}\n`;
      const m = /^\/sys\/class\/net\/([^/]+)\/(ifindex|statistics\/(rx|tx)_bytes)$/.exec(p);
      if (m) { const c = counters[m[1]]; return c ? `${m[2] === 'ifindex' ? c.ifindex : c[m[3] as 'rx' | 'tx']}\n` : null; }
      return disk.get(p) ?? null;
    },
  });
  const rt = {
    ...fake.rt,
    env: (name: string) => ({ MPWAN_RUN_DIR: '/run/mpwan', MPWAN_STATE_DIR: '/flash/mpwan' } as Record<string, string>)[name],
    writeFileAtomic: (p: string, text: string) => { disk.set(p, text); if (p.startsWith('/flash/')) flashWrites.push(fake.now()); },
    makeDir: () => {},
  } as unknown as Runtime;
  const crossings: QuotaCrossing[] = [];
  const keeper = () => new QuotaKeeper(rt, (c) => crossings.push(c), async () => {}, utc);
  const reboot = () => { boot = 'boot-2'; disk.delete('/run/mpwan/usage.json'); for (const c of Object.values(counters)) { c.rx = 0; c.tx = 0; } };
  return { fake, counters, disk, keeper, crossings, flashWrites, reboot };
}

const cfg = (action: 'backup' | 'off' = 'backup') => config([
  uplink('lte', { metered: true, mode: 'backup', quota: { bytes: 10e6, period: 'month', resetDay: 15, action } }),
  uplink('fibre', {}, 1),
]);
const iface = (name: string, dev: string): NetifdInterface => ({ name, up: true, available: true, l3Device: dev, proto: 'static', metric: 0, ipv4: [], ipv6: [], routes: [] });
const netifd = [iface('lte', 'wwan0'), iface('fibre', 'eth1')];

describe('quota keeper (fake clock, fake counters)', () => {
  it('switches at the quota, announces 80% and 100% once, and starts again on the reset day', async () => {
    const r = router();
    await r.fake.advance(at('2026-05-14T12:00:00Z'));
    const k = r.keeper();
    assert.equal(k.count(cfg(), netifd), false);
    r.counters.wwan0.rx = 8e6;
    assert.equal(k.count(cfg(), netifd), false, 'at 80% nothing changes yet');
    assert.deepEqual(r.crossings.map((c) => [c.uplink, c.percent, c.action]), [['lte', 80, 'backup']]);
    r.counters.wwan0.tx = 2e6;
    assert.equal(k.count(cfg(), netifd), true, 'at 100% the plan changes');
    assert.deepEqual(k.overQuota(cfg()), { lte: 'backup' });
    assert.deepEqual(k.overQuota(cfg('off')), { lte: 'off' });
    assert.deepEqual(r.crossings.map((c) => c.percent), [80, 100]);
    await r.fake.advance(at('2026-05-15T00:00:01Z') - r.fake.now());
    r.counters.wwan0.rx += 1000;
    assert.equal(k.count(cfg(), netifd), true, 'a new period: back to what it was');
    assert.deepEqual(k.overQuota(cfg()), {});
    assert.equal(k.usage!.uplinks.lte.bytes, 1000);
    r.counters.wwan0.rx += 8e6;
    k.count(cfg(), netifd);
    assert.deepEqual(r.crossings.map((c) => c.percent), [80, 100, 80], 'announced again in the new period');
  });

  it('a restarted daemon goes on from RAM (the bytes while none ran included); flash is written at most once an hour', async () => {
    const r = router();
    await r.fake.advance(at('2026-05-02T00:00:00Z'));
    const first = r.keeper();
    first.count(cfg(), netifd);
    assert.equal(r.flashWrites.length, 0, 'nothing counted yet: nothing to keep');
    r.counters.wwan0.rx = 1e6;
    first.count(cfg(), netifd);
    assert.equal(r.flashWrites.length, 1);
    for (let i = 0; i < 10; i++) { await r.fake.advance(60000); r.counters.wwan0.rx += 1000; first.count(cfg(), netifd); }
    assert.equal(r.flashWrites.length, 1, 'ten minutes of counts: RAM only');
    first.stop();
    r.counters.wwan0.rx += 5e5; // while no daemon ran
    const second = r.keeper();
    second.count(cfg(), netifd);
    assert.equal(second.usage!.uplinks.lte.bytes, 1e6 + 10000 + 5e5);
    assert.equal(r.flashWrites.length, 1, 'a restart does not write flash');
    await r.fake.advance(3600000);
    r.counters.wwan0.rx += 1;
    second.count(cfg(), netifd);
    assert.equal(r.flashWrites.length, 2, 'an hour later');
  });

  it('after a reboot the flash copy is the start (at most the last hour lost) and the counters count from zero', async () => {
    const r = router();
    await r.fake.advance(at('2026-05-02T00:00:00Z'));
    const k = r.keeper();
    k.count(cfg(), netifd);
    r.counters.wwan0.rx = 3e6;
    k.count(cfg(), netifd); // flash: 3 MB
    await r.fake.advance(1800000);
    r.counters.wwan0.rx = 4e6;
    k.count(cfg(), netifd); // RAM only: 4 MB
    r.reboot();
    await r.fake.advance(600000);
    r.counters.wwan0.rx = 2e5; // since boot
    const after = r.keeper();
    after.count(cfg(), netifd);
    assert.equal(after.usage!.uplinks.lte.bytes, 3e6 + 2e5, 'the 1 MB of the last half hour before the reboot is lost');
  });
});
