import assert from 'node:assert/strict';
import { daysLeft, periodAt, type LocalOffset } from '../../src/quota/period.js';
import { account, overQuota, type Ledger, type Reading } from '../../src/quota/usage.js';
import type { QuotaConfig } from '../../src/model/config.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
const utc: LocalOffset = () => 0;
/** Central Europe: +1 h, +2 h from the last Sunday of March to the last Sunday of October (01:00 UTC). */
const cet = (s: number) => (s >= at('2026-03-29T01:00:00Z') && s < at('2026-10-25T01:00:00Z') ? 7200 : 3600);
const period = (q: Pick<QuotaConfig, 'period' | 'resetDay'>, now: string, offset: LocalOffset = utc) => {
  const p = periodAt(q, at(now), offset);
  return [iso(p.start), iso(p.end)];
};

describe('quota periods', () => {
  it('a month starts on its reset day at local midnight', () => {
    const m15 = { period: 'month', resetDay: 15 } as const;
    assert.deepEqual(period(m15, '2026-03-20T10:00:00Z'), ['2026-03-15T00:00:00Z', '2026-04-15T00:00:00Z']);
    assert.deepEqual(period(m15, '2026-03-15T00:00:00Z'), ['2026-03-15T00:00:00Z', '2026-04-15T00:00:00Z'], 'midnight is the first second');
    assert.deepEqual(period(m15, '2026-03-14T23:59:59Z'), ['2026-02-15T00:00:00Z', '2026-03-15T00:00:00Z']);
    assert.deepEqual(period(m15, '2026-01-10T00:00:00Z'), ['2025-12-15T00:00:00Z', '2026-01-15T00:00:00Z'], 'over the new year');
    assert.deepEqual(period({ period: 'month', resetDay: 1 }, '2026-12-31T23:00:00Z'), ['2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z']);
  });

  it('a reset day past the end of a short month is its last day', () => {
    const m31 = { period: 'month', resetDay: 31 } as const;
    assert.deepEqual(period(m31, '2026-02-27T10:00:00Z'), ['2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z']);
    assert.deepEqual(period(m31, '2026-02-28T10:00:00Z'), ['2026-02-28T00:00:00Z', '2026-03-31T00:00:00Z']);
    assert.deepEqual(period(m31, '2028-02-29T10:00:00Z'), ['2028-02-29T00:00:00Z', '2028-03-31T00:00:00Z'], 'a leap year');
    assert.deepEqual(period({ period: 'month', resetDay: 30 }, '2026-03-30T00:00:00Z'), ['2026-03-30T00:00:00Z', '2026-04-30T00:00:00Z']);
  });

  it('a day runs midnight to midnight in local time, daylight saving included', () => {
    const day = { period: 'day', resetDay: 1 } as const;
    assert.deepEqual(period(day, '2026-12-31T23:59:59Z'), ['2026-12-31T00:00:00Z', '2027-01-01T00:00:00Z']);
    assert.deepEqual(period(day, '2026-01-01T00:30:00+01:00', cet), ['2025-12-31T23:00:00Z', '2026-01-01T23:00:00Z']);
    // 29 March 2026 has 23 hours in Central Europe.
    assert.deepEqual(period(day, '2026-03-29T12:00:00+02:00', cet), ['2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z']);
    assert.deepEqual(period({ period: 'month', resetDay: 1 }, '2026-04-01T00:30:00+02:00', cet), ['2026-03-31T22:00:00Z', '2026-04-30T22:00:00Z']);
    assert.equal(daysLeft(periodAt({ period: 'month', resetDay: 1 }, at('2026-04-29T12:00:00Z'), utc), at('2026-04-29T12:00:00Z')), 2);
  });
});

const quota = (bytes: number, over: Partial<QuotaConfig> = {}): QuotaConfig => ({ bytes, period: 'month', resetDay: 1, action: 'backup', ...over });
const read = (rx: number, tx: number, ifindex = 5, dev = 'wwan0'): Reading => ({ dev, ifindex, rx, tx });

describe('quota accounting', () => {
  const quotas = { lte: quota(10e6), fibre: null };
  const step = (ledger: Ledger | null, now: string, readings: Record<string, Reading | null>, boot = 'boot-a', q: Record<string, QuotaConfig | null> = quotas) =>
    account(ledger, q, { boot, now: at(now), readings }, utc);

  it('counts both directions from the counters seen first; the uplink without a quota is counted too', () => {
    let r = step(null, '2026-05-02T00:00:00Z', { lte: read(5e6, 1e6), fibre: read(7, 7, 3, 'eth1') });
    assert.deepEqual([r.ledger.uplinks.lte.bytes, r.ledger.uplinks.fibre.bytes], [0, 0], 'what came before mpwan counted is unknown');
    r = step(r.ledger, '2026-05-02T00:01:00Z', { lte: read(6e6, 2e6), fibre: read(107, 57, 3, 'eth1') });
    assert.deepEqual([r.ledger.uplinks.lte.bytes, r.ledger.uplinks.fibre.bytes], [2e6, 150]);
    assert.deepEqual(r.crossings, []);
    assert.deepEqual(r.ledger.uplinks.fibre.period, { start: at('2026-05-01T00:00:00Z'), end: at('2026-06-01T00:00:00Z') }, 'without a quota: the calendar month');
  });

  it('announces 80% and 100% once each per period; over the quota the action applies', () => {
    let r = step(null, '2026-05-02T00:00:00Z', { lte: read(0, 0) });
    r = step(r.ledger, '2026-05-02T01:00:00Z', { lte: read(7e6, 0) });
    assert.deepEqual(r.crossings, []);
    r = step(r.ledger, '2026-05-02T02:00:00Z', { lte: read(7e6, 1e6) });
    assert.deepEqual(r.crossings, [{ uplink: 'lte', percent: 80, bytes: 8e6, quota: 10e6 }]);
    assert.deepEqual(overQuota(r.ledger, quotas), {});
    r = step(r.ledger, '2026-05-02T03:00:00Z', { lte: read(7e6, 1.5e6) });
    assert.deepEqual(r.crossings, [], 'said once');
    r = step(r.ledger, '2026-05-02T04:00:00Z', { lte: read(8.5e6, 1.5e6 + 1) });
    assert.deepEqual(r.crossings, [{ uplink: 'lte', percent: 100, bytes: 10e6 + 1, quota: 10e6 }]);
    assert.deepEqual(overQuota(r.ledger, quotas), { lte: 'backup' });
    assert.deepEqual(overQuota(r.ledger, { lte: quota(10e6, { action: 'off' }) }), { lte: 'off' });
    const jump = step(step(null, '2026-05-02T00:00:00Z', { lte: read(0, 0) }).ledger, '2026-05-02T00:01:00Z', { lte: read(20e6, 0) });
    assert.deepEqual(jump.crossings.map((c) => c.percent), [100], 'straight past both: the 100% is announced');
  });

  it('starts again on the reset day (a fake clock crossing midnight of the 15th)', () => {
    const q = { lte: quota(10e6, { resetDay: 15 }) };
    let r = step(null, '2026-05-14T23:00:00Z', { lte: read(0, 0) }, 'boot-a', q);
    r = step(r.ledger, '2026-05-14T23:59:00Z', { lte: read(12e6, 0) }, 'boot-a', q);
    assert.deepEqual(overQuota(r.ledger, q), { lte: 'backup' });
    assert.equal(r.ledger.uplinks.lte.announced, 100);
    r = step(r.ledger, '2026-05-15T00:00:30Z', { lte: read(12e6, 5000) }, 'boot-a', q);
    assert.deepEqual([r.ledger.uplinks.lte.bytes, r.ledger.uplinks.lte.announced], [5000, 0]);
    assert.deepEqual(overQuota(r.ledger, q), {});
    assert.deepEqual(r.ledger.uplinks.lte.period, { start: at('2026-05-15T00:00:00Z'), end: at('2026-06-15T00:00:00Z') });
  });

  it('a recreated device (another ifindex, or counters that went down) counts from zero; a device gone counts nothing', () => {
    let r = step(null, '2026-05-02T00:00:00Z', { lte: read(5e6, 5e6) });
    r = step(r.ledger, '2026-05-02T00:01:00Z', { lte: null });
    assert.equal(r.ledger.uplinks.lte.bytes, 0);
    assert.deepEqual(r.ledger.uplinks.lte.last, read(5e6, 5e6), 'the last reading is kept for when it returns');
    r = step(r.ledger, '2026-05-02T00:02:00Z', { lte: read(1000, 2000, 9) });
    assert.equal(r.ledger.uplinks.lte.bytes, 3000);
    r = step(r.ledger, '2026-05-02T00:03:00Z', { lte: read(500, 2500, 9) });
    assert.equal(r.ledger.uplinks.lte.bytes, 6000, 'rx went down: counted from zero (500 + 2500)');
  });

  it('a reboot (another boot id): counters began at zero, so the first reading counts whole', () => {
    let r = step(null, '2026-05-02T00:00:00Z', { lte: read(1e6, 1e6) });
    r = step(r.ledger, '2026-05-02T00:30:00Z', { lte: read(2e6, 2e6) });
    const saved = JSON.parse(JSON.stringify(r.ledger)) as Ledger;
    r = step(saved, '2026-05-02T02:00:00Z', { lte: read(300, 400) }, 'boot-b');
    assert.deepEqual([r.ledger.uplinks.lte.bytes, r.ledger.boot], [2e6 + 700, 'boot-b']);
    r = step(r.ledger, '2026-05-02T02:01:00Z', { lte: read(1300, 400) }, 'boot-b');
    assert.equal(r.ledger.uplinks.lte.bytes, 2e6 + 1700);
  });

  it('a restarted daemon goes on from the saved ledger: the bytes of the restart are counted', () => {
    let r = step(null, '2026-05-02T00:00:00Z', { lte: read(0, 0) });
    r = step(r.ledger, '2026-05-02T00:01:00Z', { lte: read(1e6, 0) });
    const saved = JSON.parse(JSON.stringify(r.ledger)) as Ledger;
    r = step(saved, '2026-05-02T00:05:00Z', { lte: read(3e6, 1e6) });
    assert.equal(r.ledger.uplinks.lte.bytes, 4e6);
  });
});
