// The compute API announces flavor and key pair changes on the bus, after they are stored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBus, type Bus, type Notification } from '../../../src/bus/index.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

describe('compute notifications', () => {
  let h: ComputeHarness;
  let bus: Bus;
  const seen: Notification[] = [];
  before(async () => {
    bus = await createBus({ driver: 'memory' });
    await bus.subscribeNotifications('flavor.*', (n) => { seen.push(n); });
    await bus.subscribeNotifications('keypair.*', (n) => { seen.push(n); });
    h = await startCompute({ bus });
  });
  after(async () => {
    await h?.close();
    await bus?.close();
  });

  const waitFor = async (count: number): Promise<void> => {
    for (let i = 0; i < 200 && seen.length < count; i += 1) await new Promise((r) => setTimeout(r, 5));
  };

  it('sends flavor and keypair events, and none for refused requests', async () => {
    await h.createFlavor({ name: 'n1', id: 'n1', ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': false });
    await h.request('POST', '/v2.1/flavors/n1/os-extra_specs', { body: { extra_specs: { a: 'b' } } });
    await h.request('POST', '/v2.1/flavors/n1/action', { body: { addTenantAccess: { tenant: h.alice.projectId } } });
    await h.request('POST', '/v2.1/flavors', { body: { flavor: { name: 'n1', ram: 64, vcpus: 1, disk: 0 } } });
    await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, body: { keypair: { name: 'k' } } });
    await h.request('DELETE', '/v2.1/os-keypairs/k', { token: h.alice.token });
    await h.request('DELETE', '/v2.1/flavors/n1');
    await waitFor(6);
    assert.deepEqual(seen.map((n) => n.event_type), ['flavor.create', 'flavor.update', 'flavor.update', 'keypair.create.end', 'keypair.delete.end', 'flavor.delete']);
    assert.equal((seen[1]!.payload as Record<string, any>).extra_specs.a, 'b');
    assert.deepEqual((seen[2]!.payload as Record<string, any>).projects, [h.alice.projectId]);
    assert.equal((seen[3]!.payload as Record<string, any>).user_id, h.alice.userId);
    assert.equal(seen[0]!.publisher_id, 'nova-api');
  });
});
