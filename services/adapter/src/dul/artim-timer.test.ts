import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArtimTimer, DEFAULT_ARTIM_TIMEOUT_MS } from './artim-timer.js';
import { FakeScheduler } from './fake-scheduler.test-support.js';

function setup(timeoutMs?: number) {
  const clock = new FakeScheduler();
  let expired = 0;
  const timer = new ArtimTimer(clock, () => expired++, timeoutMs === undefined ? {} : { timeoutMs });
  return { clock, timer, expirations: () => expired };
}

test('defaults to 30 s and expires once', () => {
  const { clock, timer, expirations } = setup();
  assert.equal(timer.timeoutMs, DEFAULT_ARTIM_TIMEOUT_MS);
  assert.equal(timer.running, false);
  timer.start();
  assert.equal(timer.running, true);
  clock.advance(29_999);
  assert.equal(expirations(), 0);
  clock.advance(1);
  assert.equal(expirations(), 1);
  assert.equal(timer.running, false);
  clock.advance(60_000);
  assert.equal(expirations(), 1);
});

test('start while running restarts from zero (AA-1 "or restart")', () => {
  const { clock, timer, expirations } = setup(1000);
  timer.start();
  clock.advance(900);
  timer.start();
  assert.equal(clock.pendingCount, 1);
  clock.advance(900);
  assert.equal(expirations(), 0);
  clock.advance(100);
  assert.equal(expirations(), 1);
});

test('stop cancels; stop when idle is a no-op (AA-2 "if running")', () => {
  const { clock, timer, expirations } = setup(1000);
  timer.stop();
  timer.start();
  timer.stop();
  assert.equal(timer.running, false);
  assert.equal(clock.pendingCount, 0);
  clock.advance(5000);
  assert.equal(expirations(), 0);
});

test('a falsy handle from the scheduler still works', () => {
  let fire: (() => void) | undefined;
  let cleared = false;
  const timer = new ArtimTimer<number>(
    {
      setTimeout: (fn) => {
        fire = fn;
        return 0;
      },
      clearTimeout: (h) => {
        cleared = h === 0;
      },
    },
    () => {},
  );
  timer.start();
  assert.equal(timer.running, true);
  timer.stop();
  assert.equal(cleared, true);
  fire?.(); // a stale callback after stop does not call back
  assert.equal(timer.running, false);
});
