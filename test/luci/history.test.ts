// The status page's pure parts: rates from byte counters, shares, formatting.
import assert from 'node:assert/strict';
import { History } from '../../luci-app/luci-app-mpwan/ts/lib/history.js';
import { duration, si, sinceDate } from '../../luci-app/luci-app-mpwan/ts/lib/format.js';

describe('LuCI status: throughput history and formatting', () => {
  it('turns counter deltas into bit rates, per uplink and in total', () => {
    const h = new History(60000);
    assert.equal(h.push(0, { wan: { rx: 0, tx: 0 }, lte: { rx: 0, tx: 0 } }), null, 'one sample gives no rate yet');
    h.push(2000, { wan: { rx: 250000, tx: 0 }, lte: { rx: 0, tx: 750000 } });
    assert.deepEqual(h.series('wan', 'rx'), [1e6]);
    assert.deepEqual(h.both('lte'), [3e6]);
    assert.deepEqual(h.total('tx'), [3e6]);
    assert.deepEqual(h.shares(), { wan: 0.25, lte: 0.75 });
  });

  it('skips a counter that went backwards (device re-created) and uplinks without a device', () => {
    const h = new History(60000);
    h.push(0, { wan: { rx: 1000, tx: 1000 }, lte: null });
    h.push(1000, { wan: { rx: 10, tx: 10 }, lte: null });
    assert.deepEqual(h.points[0].rates, { wan: null, lte: null });
    assert.deepEqual(h.shares(), {});
  });

  it('skips a window shorter than the minimum and measures the next from the earlier sample', () => {
    const h = new History(60000, 1000);
    h.push(10000, { wan: { rx: 0, tx: 0 } });
    assert.equal(h.push(10100, { wan: { rx: 1000, tx: 0 } }), null, '100 ms: skipped');
    h.push(12000, { wan: { rx: 250000, tx: 0 } });
    assert.deepEqual(h.series('wan', 'rx'), [1e6], '250 kB over the 2 s since the first sample');
  });

  it('starts over when the clock goes back (the router rebooted: sampled_ms counts from boot)', () => {
    const h = new History(60000, 1000);
    h.push(500000, { wan: { rx: 0, tx: 0 } });
    h.push(502000, { wan: { rx: 1000, tx: 0 } });
    assert.equal(h.push(3000, { wan: { rx: 10, tx: 0 } }), null);
    assert.deepEqual(h.points, []);
    h.push(5000, { wan: { rx: 260, tx: 0 } });
    assert.deepEqual(h.series('wan', 'rx'), [1000]);
  });

  it('keeps only the configured window', () => {
    const h = new History(5000);
    for (let t = 0; t <= 10000; t += 1000) h.push(t, { wan: { rx: t, tx: 0 } });
    assert.equal(h.points[0].t, 5000);
    assert.equal(h.points.length, 6);
  });

  it('formats rates, durations and health timestamps', () => {
    assert.equal(si(999), '999 ');
    assert.equal(si(20.4e6), '20.4 M');
    assert.equal(duration(3725), '1h 2m');
    assert.equal(duration(59.9), '59s');
    assert.equal(duration(3613), '1h 0m', 'no unit skipped (not "1h 13s")');
    assert.equal(duration(86400 + 5), '1d 0h');
    assert.equal(duration(60), '1m 0s');
    assert.equal(duration(0), '0s');
    assert.equal(duration(-3), '0s');
    assert.equal(sinceDate(1700000000)?.getTime(), 1700000000000);
    assert.equal(sinceDate(1700000000000)?.getTime(), 1700000000000);
    assert.equal(sinceDate('garbage'), null);
    assert.equal(sinceDate(null), null);
  });
});
