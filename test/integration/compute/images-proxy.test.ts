// Nova's image proxy over the real image service (compute-world): list, detail, show and delete
// in Nova's shape (SAVING for a queued snapshot, progress, minRam/minDisk, properties as metadata,
// the server a snapshot came from), 404s for unknown images, and no proxy after 2.35; a limit
// gives one page; image metadata (to 2.38): list, merge, replace, one key's show/set/delete.
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
  const send = (method: string, url: string, body: unknown, version = '2.1') => w.compute.request(method, `/v2.1${url}`, { token: t.token, version, body });

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

  it('a limit gives one page of that many images', async () => {
    await w.createImage(t.token, { name: 'proxy-second' });
    assert.ok((await get('/images')).json().images.length >= 2);
    assert.equal((await get('/images?limit=1')).json().images.length, 1);
    assert.equal((await get('/images/detail?limit=1')).json().images.length, 1);
  });

  it('image metadata: list, merge, replace, one key; 400s, 404s, gone after 2.38', async () => {
    const url = `/images/${active.id}/metadata`;
    assert.deepEqual((await get(url)).json(), { metadata: { os_distro: 'cirros' } });
    const merged = await send('POST', url, { metadata: { os_version: 'v1', architecture: 'x86_64' } });
    assert.equal(merged.statusCode, 200, merged.body);
    assert.deepEqual(merged.json(), { metadata: { os_distro: 'cirros', os_version: 'v1', architecture: 'x86_64' } });
    const replaced = await send('PUT', url, { metadata: { os_version: 'v2', hw_rng_model: 'virtio' } });
    assert.deepEqual(replaced.json(), { metadata: { os_version: 'v2', hw_rng_model: 'virtio' } });
    assert.deepEqual((await get(url)).json(), { metadata: { os_version: 'v2', hw_rng_model: 'virtio' } });
    assert.deepEqual((await get(`${url}/os_version`)).json(), { meta: { os_version: 'v2' } });
    assert.deepEqual((await send('PUT', `${url}/os_distro`, { meta: { os_distro: 'debian' } })).json(), { meta: { os_distro: 'debian' } });
    assert.equal((await w.compute.request('DELETE', `/v2.1${url}/hw_rng_model`, { token: t.token })).statusCode, 204);
    assert.deepEqual((await get(url)).json(), { metadata: { os_version: 'v2', os_distro: 'debian' } });
    // The image view shows the same properties.
    assert.deepEqual((await get(`/images/${active.id}`)).json().image.metadata, { os_version: 'v2', os_distro: 'debian' });

    const mismatch = await send('PUT', `${url}/os_distro`, { meta: { other: 'x' } });
    assert.equal(mismatch.statusCode, 400, mismatch.body);
    assert.equal((await send('PUT', `${url}/a`, { meta: { a: '1', b: '2' } })).statusCode, 400);
    assert.equal((await send('POST', url, { metadata: { k: 5 } })).statusCode, 400);
    assert.equal((await send('POST', url, { meta: {} })).statusCode, 400);
    assert.equal((await get(`${url}/missing`)).statusCode, 404);
    assert.equal((await w.compute.request('DELETE', `/v2.1${url}/missing`, { token: t.token })).statusCode, 404);
    assert.equal((await get('/images/4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e/metadata')).statusCode, 404);
    const tooMany = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    assert.equal((await send('POST', url, { metadata: tooMany })).statusCode, 403);
    assert.deepEqual((await get(url)).json(), { metadata: { os_version: 'v2', os_distro: 'debian' } }, 'refused writes change nothing');
    assert.equal((await get(url, '2.39')).statusCode, 404);
  });
});
