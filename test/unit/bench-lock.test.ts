// bench/lock.ts: a section that takes the shared bench lock per part must hold it exactly while
// the part runs, and release it afterwards even when the part throws (a lock left held would
// keep everyone else's measurements waiting).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locked } from '../../bench/lock.js';

const free = (file: string) => spawnSync('flock', ['-n', file, 'true']).status === 0;

describe('bench lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpwan-lock-test-'));
  const file = join(dir, 'lock');
  before(() => { process.env.MPWAN_BENCH_LOCK = file; });
  after(() => { delete process.env.MPWAN_BENCH_LOCK; rmSync(dir, { recursive: true, force: true }); });

  it('holds the lock while the part runs, then releases it', () => {
    assert.equal(locked('test', () => free(file)), false);
    assert.equal(free(file), true);
  });

  it('releases the lock when the part throws', () => {
    assert.throws(() => locked('test', () => { throw new Error('boom'); }), /boom/);
    assert.equal(free(file), true);
  });

  it('without MPWAN_BENCH_LOCK, just runs the part', () => {
    delete process.env.MPWAN_BENCH_LOCK;
    assert.equal(locked('test', () => free(file)), true);
    process.env.MPWAN_BENCH_LOCK = file;
  });
});
