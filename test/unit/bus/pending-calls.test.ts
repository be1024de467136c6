// Replies settle only the call they answer; late, duplicate and malformed replies are harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusClosedError, BusMessageError, BusTimeoutError, RemoteError } from '../../../src/bus/index.js';
import { PendingCalls } from '../../../src/bus/pending-calls.js';

test('a reply settles its own call; a second reply for it is ignored', async () => {
  const pending = new PendingCalls();
  const a = pending.wait('a', 'compute', 'm', 1_000);
  const b = pending.wait('b', 'compute', 'm', 1_000);
  pending.settle('b', JSON.stringify({ ok: false, error: { name: 'NotFound', message: 'gone' } }));
  pending.settle('a', JSON.stringify({ ok: true, result: 1 }));
  pending.settle('a', JSON.stringify({ ok: true, result: 2 }));
  pending.settle('unknown', 'not even JSON');
  assert.equal(await a, 1);
  await assert.rejects(b, (e: unknown) => e instanceof RemoteError && e.remoteName === 'NotFound');
  assert.equal(pending.size, 0);
});

test('a malformed reply fails its call; timeouts and failAll reject the rest', async () => {
  const pending = new PendingCalls();
  const bad = pending.wait('bad', 'compute', 'm', 1_000);
  pending.settle('bad', '{"ok":"maybe"}');
  await assert.rejects(bad, BusMessageError);
  await assert.rejects(pending.wait('slow', 'compute.node1', 'm', 20), BusTimeoutError);
  const open = pending.wait('open', 'compute', 'm', 1_000);
  pending.failAll(new BusClosedError());
  await assert.rejects(open, BusClosedError);
  assert.equal(pending.size, 0);
});
