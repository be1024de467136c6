// os-networks (deprecated, < 2.36) over the real network service (compute-world): the caller's
// networks in nova-network's shape (label, IPv4 cidr/netmask/gateway/dns), admin-only fields for
// admins, 404 for unknown networks, 404 from 2.36.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import { netmaskOf } from '../../../src/compute/api/network-routes.js';
import { startComputeWorld, type ComputeWorld, type WorldNetwork } from '../../support/compute-world.js';

describe('os-networks', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let net: WorldNetwork;
  const get = (url: string, token: string, version = '2.35') => w.compute.request('GET', `/v2.1/os-networks${url}`, { token, version });

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    net = await w.createNetwork(w.compute.alice.token, 'alice-net');
  });
  after(async () => {
    await w?.close();
    await bus?.close();
  });

  it('lists and shows the caller\'s networks in nova-network\'s shape', async () => {
    const list = await get('', w.compute.alice.token);
    assert.equal(list.statusCode, 200, list.body);
    const mine = list.json().networks.find((n: { id: string }) => n.id === net.network.id);
    assert.equal(mine.label, 'alice-net');
    assert.match(mine.cidr, /\/\d+$/);
    assert.equal(mine.netmask, netmaskOf(mine.cidr));
    assert.equal(mine.project_id, undefined, 'admin fields are for admins');
    const shown = await get(`/${net.network.id}`, w.compute.alice.token);
    assert.equal(shown.statusCode, 200);
    assert.deepEqual(shown.json().network, mine);
    const asAdmin = (await get(`/${net.network.id}`, w.compute.adminToken)).json().network;
    assert.equal(asAdmin.project_id, w.compute.alice.projectId);
    assert.equal(netmaskOf('10.0.0.0/24'), '255.255.255.0');
  });

  it('hides others\' networks (404), unknown ids (404) and answers 404 from 2.36', async () => {
    assert.equal((await get(`/${net.network.id}`, w.compute.bob.token)).statusCode, 404);
    assert.equal((await get('/00000000-0000-4000-8000-000000000000', w.compute.alice.token)).statusCode, 404);
    assert.equal((await get('/not-a-uuid', w.compute.alice.token)).statusCode, 404);
    assert.equal((await get('', w.compute.alice.token, '2.36')).statusCode, 404);
  });
});
