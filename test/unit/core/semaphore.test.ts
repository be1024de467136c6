import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Semaphore } from '../../../src/core/semaphore.js';

test('no more than the limit run at once, and every job finishes', async () => {
  const slots = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const results = await Promise.all(Array.from({ length: 7 }, (_, i) => slots.run(async () => {
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    running -= 1;
    return i;
  })));
  assert.equal(peak, 2);
  assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6]);
});

test('a failing job frees its slot', async () => {
  const slots = new Semaphore(1);
  await assert.rejects(slots.run(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await slots.run(async () => 'next'), 'next');
});
