import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ImageClient, ImageDataUnavailableError, ImageVerificationError, NetworkClient, ServiceUnavailableError,
  imageProperties, type AuthProvider, type Image,
} from '../../../../src/core/clients/index.js';
import { startFakeServer, type FakeServer } from './fake-server.js';

const auth = (server: () => FakeServer): AuthProvider => ({ token: async () => 't', invalidate: () => undefined, endpoint: async () => server().url });

function imageRecord(id: string, data: Buffer, extra: Partial<Image> = {}): Image {
  return {
    id, name: 'img', status: 'active', visibility: 'private', protected: false, owner: 'p', size: data.length, virtual_size: null,
    checksum: createHash('md5').update(data).digest('hex'), os_hash_algo: 'sha512', os_hash_value: createHash('sha512').update(data).digest('hex'),
    disk_format: 'raw', container_format: 'bare', min_disk: 0, min_ram: 0, tags: [], created_at: '', updated_at: '',
    hw_disk_bus: 'virtio', os_type: 'linux', ...extra,
  };
}

describe('ImageClient against a fake image service', () => {
  let glance: FakeServer;
  let dir: string;
  let images: ImageClient;
  const id = randomUUID();
  let data = randomBytes(100_000);
  let served = data;
  let record = imageRecord(id, data);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-client-'));
    glance = await startFakeServer((req) => {
      if (req.path === `/v2/images/${id}`) return { body: record };
      if (req.path === `/v2/images/${id}/file`) return served.length === 0 ? { status: 204 } : { headers: { 'content-type': 'application/octet-stream' }, body: served };
      return { status: 404, body: { code: '404 Not Found', title: 'Not Found', message: 'No image found' } };
    });
    images = ImageClient.create(auth(() => glance));
  });
  after(async () => {
    await glance.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a matching download lands at the path; properties are the non-schema keys', async () => {
    const dest = join(dir, 'good.img');
    const got = await images.downloadImage(id, dest);
    assert.deepEqual(readFileSync(dest), data);
    assert.equal(got.hashValue, record.os_hash_value);
    assert.equal(got.checksum, record.checksum);
    assert.deepEqual(imageProperties(record), { hw_disk_bus: 'virtio', os_type: 'linux' });
    assert.equal(await images.findImage(randomUUID()), undefined);
  });

  for (const [what, corrupt] of [
    ['multihash', () => { served = Buffer.from(data); served[5] = served[5]! ^ 1; record = { ...imageRecord(id, data), checksum: createHash('md5').update(served).digest('hex') }; }],
    ['md5 checksum', () => { served = data; record = { ...imageRecord(id, data), checksum: '0'.repeat(32) }; }],
    ['size', () => { served = data.subarray(0, 1000); record = imageRecord(id, data); }],
  ] as const) {
    test(`a ${what} mismatch throws and leaves no file`, async () => {
      corrupt();
      const dest = join(dir, `bad-${what.replace(/\W/g, '')}.img`);
      await assert.rejects(images.downloadImage(id, dest), ImageVerificationError);
      assert.equal(existsSync(dest), false);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.part')), []);
      served = data;
      record = imageRecord(id, data);
    });
  }

  test('no data (204) is ImageDataUnavailableError', async () => {
    served = Buffer.alloc(0);
    record = { ...imageRecord(id, data), status: 'queued', size: null };
    await assert.rejects(images.downloadImage(id, join(dir, 'none.img')), ImageDataUnavailableError);
    served = data;
    record = imageRecord(id, data);
  });

  test('a stalled download times out and leaves no file', async () => {
    const saved = glance.handler;
    data = randomBytes(1000);
    record = imageRecord(id, data);
    glance.handler = (req) => (req.path.endsWith('/file') ? { body: data, delayMs: 0, headers: { 'content-length': String(data.length + 10) } } : saved(req));
    try {
      const dest = join(dir, 'stalled.img');
      await assert.rejects(images.downloadImage(id, dest, { idleTimeoutMs: 100 }), (e: unknown) => e instanceof ServiceUnavailableError && e.reason === 'timeout');
      assert.equal(existsSync(dest), false);
    } finally {
      glance.handler = saved;
    }
  });
});

describe('NetworkClient against a fake network service', () => {
  let neutron: FakeServer;
  before(async () => {
    neutron = await startFakeServer();
  });
  after(async () => neutron.close());

  test('lists follow <collection>_links next pages', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}` }));
    neutron.handler = (req) => {
      const marker = req.query.get('marker');
      const start = marker ? all.findIndex((p) => p.id === marker) + 1 : 0;
      const page = all.slice(start, start + 2);
      const links = page.length === 2 ? [{ rel: 'next', href: `${neutron.url}/v2.0/ports?device_id=d&limit=2&marker=${page[1]!.id}` }] : [];
      return { body: { ports: page, ports_links: links } };
    };
    const ports = await NetworkClient.create(auth(() => neutron)).listPortsByDevice('d', { limit: 2 });
    assert.deepEqual(ports.map((p) => p.id), ['p0', 'p1', 'p2', 'p3', 'p4']);
    assert.ok(neutron.requests.every((r) => r.query.get('device_id') === 'd'));
  });

  test('security groups by name and project use Neutron\'s collection name', async () => {
    neutron.handler = () => ({ body: { security_groups: [{ id: 'sg', name: 'default' }] } });
    const groups = await NetworkClient.create(auth(() => neutron)).listSecurityGroupsByName(['default', 'web'], 'proj');
    assert.equal(groups[0]!.id, 'sg');
    const req = neutron.requests.at(-1)!;
    assert.equal(req.path, '/v2.0/security-groups');
    assert.deepEqual(req.query.getAll('name'), ['default', 'web']);
    assert.equal(req.query.get('project_id'), 'proj');
  });
});
