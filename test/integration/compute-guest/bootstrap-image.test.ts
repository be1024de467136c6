// ensureGuestImage against the real image service (listening, reached by the ImageClient as the
// admin): a prebuilt qcow2 is uploaded once, public, with its properties; later calls find it;
// a leftover of an interrupted upload is replaced; NIMBUS_GUEST_IMAGE=0 skips everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/core/logger.js';
import { ImageClient, type AuthProvider } from '../../../src/core/clients/index.js';
import { ensureGuestImage } from '../../../src/cli/guest-image-bootstrap.js';
import { startImage, type ImageHarness } from '../../support/image-harness.js';

describe('guest image bootstrap', () => {
  let h: ImageHarness;
  let images: ImageClient;
  let dir: string;
  let qcow2: string;
  const logger = createLogger('silent');
  const listByName = async () => (await h.request('GET', '/v2/images?name=nimbus-cirros')).json().images as Record<string, any>[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-bootstrap-image-'));
    qcow2 = join(dir, 'tiny.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '1M']);
    h = await startImage();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const auth: AuthProvider = { token: async () => h.adminToken, invalidate: () => undefined, endpoint: async () => url };
    images = ImageClient.create(auth);
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does nothing with NIMBUS_GUEST_IMAGE=0', async () => {
    assert.equal(await ensureGuestImage(h.identity.config, logger, { images, imagePath: qcow2, env: { NIMBUS_GUEST_IMAGE: '0' } }), undefined);
    assert.deepEqual(await listByName(), []);
  });

  it('replaces a leftover of an interrupted upload', async () => {
    const stale = await h.createImage({ name: 'nimbus-cirros', disk_format: 'qcow2', container_format: 'bare', nimbus_guest_image: 'x' });
    const id = await ensureGuestImage(h.identity.config, logger, { images, imagePath: qcow2, env: {} });
    assert.ok(id !== undefined && id !== stale.id);
    assert.equal((await h.request('GET', `/v2/images/${stale.id}`)).statusCode, 404);
  });

  it('uploads once: public, active, qcow2/bare, virtio, linux; a second call returns the same image', async () => {
    const list = await listByName();
    assert.equal(list.length, 1);
    const [image] = list;
    assert.equal(image!.status, 'active');
    assert.equal(image!.visibility, 'public');
    assert.equal(image!.disk_format, 'qcow2');
    assert.equal(image!.container_format, 'bare');
    assert.equal(image!.hw_disk_bus, 'virtio');
    assert.equal(image!.os_type, 'linux');
    assert.ok(image!.size > 0);
    // Other projects see it (public).
    assert.equal((await h.request('GET', `/v2/images/${image!.id}`, { token: h.alice.token })).statusCode, 200);

    const again = await ensureGuestImage(h.identity.config, logger, { images, imagePath: join(dir, 'never-read.qcow2'), env: {} });
    assert.equal(again, image!.id);
    assert.equal((await listByName()).length, 1);
  });

  it('fails (for the caller to log) when the image service is unreachable', async () => {
    const down: AuthProvider = { token: async () => 't', invalidate: () => undefined, endpoint: async () => 'http://127.0.0.1:9' };
    await assert.rejects(ensureGuestImage(h.identity.config, logger, { images: ImageClient.create(down, { retry: { attempts: 1 } }), imagePath: qcow2, env: {} }));
  });
});
