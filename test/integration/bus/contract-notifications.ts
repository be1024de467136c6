// Contract: every subscriber whose pattern matches gets each notification, in oslo's envelope.
// Notifications are not scoped by topic, so each test tags its payloads and ignores others.
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Notification } from '../../../src/bus/index.js';
import { fixture, quietPeriod, waitFor } from './contract-helpers.js';
import type { MakeBus } from './contract-helpers.js';

function collector(run: string): { readonly got: Notification[]; readonly handler: (n: Notification) => void } {
  const got: Notification[] = [];
  return {
    got,
    handler: (n) => {
      if ((n.payload as { run?: unknown } | null)?.run === run) got.push(n);
    },
  };
}

export function notificationContract(makeBus: MakeBus): void {
  test('notifications reach every subscriber whose pattern matches', async (t) => {
    const f = fixture(t, makeBus);
    const [publisher, a, b] = [await f.bus(), await f.bus(), await f.bus()];
    const run = randomUUID();
    const all1 = collector(run);
    const all2 = collector(run);
    const ports = collector(run);
    const created = collector(run);
    const ends = collector(run);
    await a.subscribeNotifications('*', all1.handler);
    await b.subscribeNotifications('*', all2.handler);
    await a.subscribeNotifications('port.*', ports.handler);
    await b.subscribeNotifications('identity.user.created', created.handler);
    await b.subscribeNotifications('*.end', ends.handler);
    const before = Date.now();
    await publisher.notify('port.create.end', { run, id: 'p1' }, { publisherId: 'network.node1' });
    await publisher.notify('identity.user.created', { run, id: 'u1' }, { publisherId: 'identity.host', priority: 'AUDIT' });
    await publisher.notify('portal.update', { run }, { publisherId: 'x' });
    await waitFor('3 notifications for each "*" subscriber', () => all1.got.length >= 3 && all2.got.length >= 3);
    await quietPeriod();
    assert.deepEqual(all1.got.map((n) => n.event_type).sort(), ['identity.user.created', 'port.create.end', 'portal.update']);
    assert.deepEqual(all2.got.map((n) => n.event_type).sort(), ['identity.user.created', 'port.create.end', 'portal.update']);
    assert.deepEqual(ports.got.map((n) => n.event_type), ['port.create.end']);
    assert.deepEqual(created.got.map((n) => n.event_type), ['identity.user.created']);
    assert.deepEqual(ends.got.map((n) => n.event_type), ['port.create.end']);

    const port = ports.got[0] as Notification;
    assert.deepEqual(port.payload, { run, id: 'p1' });
    assert.equal(port.publisher_id, 'network.node1');
    assert.equal(port.priority, 'INFO');
    assert.ok(Date.parse(port.timestamp) >= before - 1_000 && Date.parse(port.timestamp) <= Date.now() + 1_000);
    assert.equal((created.got[0] as Notification).priority, 'AUDIT');
    const ids = new Set(all1.got.map((n) => n.message_id));
    assert.equal(ids.size, 3, 'each notification has its own message_id');
    assert.deepEqual(new Set(all2.got.map((n) => n.message_id)), ids, 'subscribers see the same message_id');
  });

  test('a stopped subscription receives nothing more; handler errors are reported', async (t) => {
    const f = fixture(t, makeBus);
    const [publisher, subscriber] = [await f.bus(), await f.bus()];
    const run = randomUUID();
    const kept = collector(run);
    const dropped = collector(run);
    await subscriber.subscribeNotifications('image.*', kept.handler);
    const subscription = await subscriber.subscribeNotifications('image.*', dropped.handler);
    assert.equal(subscription.pattern, 'image.*');
    await subscriber.subscribeNotifications('image.delete', () => {
      throw new Error('subscriber failed');
    });
    await subscription.stop();
    await publisher.notify('image.delete', { run }, { publisherId: 'image.host' });
    await waitFor('the kept subscriber', () => kept.got.length === 1);
    await waitFor('the error report', () => f.errors.length > 0);
    await quietPeriod();
    assert.equal(dropped.got.length, 0);
    assert.match(String(f.errors[0]), /subscriber failed/);
  });
}
