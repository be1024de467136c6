// Nova's image proxy over the real image service (compute-world): list, detail, show and delete
// in Nova's shape (SAVING for a queued snapshot, progress, minRam/minDisk, properties as metadata,
// the server a snapshot came from), 404s for unknown images, and no proxy after 2.35.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import { startComputeWorld, type ComputeWorld, type WorldImage } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';

describe('compute image proxy (/images)', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let t: Tenant;
  let active: WorldImage;
  let queued: WorldImage;
  const serverId = '7e1f0c2d-3b4a-4c5d-8e9f-0a1b2c3d4e5f';

  const get = (url: string, version = '2.1') => w.compute.request('GET', `/v2.1${url}`, { token: t.token, version });

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    active = await w.createImage(t.token, { name: 'proxy-active', min_ram: 64, properties: { os_distro: 'cirros' } });
    queued = await w.createImage(t.token, { name: 'proxy-snap', noData: true, properties: { instance_uuid: serverId, image_type: 'snapshot' } });
  });
  after(async () => {
    await w?.close();
    await bus?.close();
  });

  it('shows images in Nova\'s shape', async () => {
    const a = (await get(`/images/${active.id}`)).json().image;
    assert.equal(a.status, 'ACTIVE');
    assert.equal(a.progress, 100);
    assert.equal(a.minRam, 64);
    assert.equal(a.metadata.os_distro, 'cirros');
    assert.match(a.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(a.server, undefined);
    const q = (await get(`/images/${queued.id}`)).json().image;
    assert.deepEqual([q.status, q.progress, q.server.id], ['SAVING', 25, serverId]);

    const brief = (await get('/images')).json().images;
    assert.ok(brief.some((i: { id: string; name: string }) => i.id === active.id && i.name === 'proxy-active'));
    assert.equal(brief[0].status, undefined, 'the list is brief');
    const snaps = (await get(`/images/detail?server=${serverId}`)).json().images;
    assert.deepEqual(snaps.map((i: { id: string }) => i.id), [queued.id]);
  });

  it('deletes, answers 404 for unknown images, and is gone after 2.35', async () => {
    assert.equal((await get('/images/4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e')).statusCode, 404);
    assert.equal((await get('/images/not-an-id')).statusCode, 404);
    const del = await w.compute.request('DELETE', `/v2.1/images/${queued.id}`, { token: t.token });
    assert.equal(del.statusCode, 204, del.body);
    assert.equal((await get(`/images/${queued.id}`)).statusCode, 404);
    assert.equal((await w.compute.request('DELETE', `/v2.1/images/${queued.id}`, { token: t.token })).statusCode, 404);
    assert.equal((await get('/images', '2.36')).statusCode, 404);
  });
});
