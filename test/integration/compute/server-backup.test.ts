// createBackup through the real compute and image services (compute-world), a recording agent on
// host-a: the backup image's properties, task state, action and cast; Location only with a
// rotation (2.1) and {"image_id"} from 2.45; 400/404/409 refusals (members may back up their servers: no 403 under the legacy rules); and the agent's rotation
// (Nova's _rotate_backups) against the real image service.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryBus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Image } from '../../../src/core/clients/index.js';
import { backupsToDelete, rotateBackups } from '../../../src/compute/agent/backup-rotation.js';
import { startComputeWorld, type ComputeWorld, type WorldImage } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { insertInstance, instanceActionNames, instanceState } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server createBackup', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  let t: Tenant;
  let base: WorldImage;

  const server = (over: Record<string, unknown> = {}) => insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId, image_ref: base.id, ...over });
  const act = (uuid: string, body: unknown, version?: string, token = t.token) =>
    w.compute.request('POST', `/v2.1/servers/${uuid}/action`, { body, token, ...(version ? { version } : {}) });
  const image = async (id: string) => {
    const res = await w.image.app.inject({ method: 'GET', url: `/v2/images/${id}`, headers: { 'x-auth-token': t.token } });
    return res.statusCode === 200 ? res.json() : undefined;
  };

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    base = await w.createImage(t.token, { name: 'base' });
    agent = await recordingAgent(bus, ['backup_instance']);
  });
  after(async () => {
    await agent?.stop();
    await w?.close();
    await bus?.close();
  });
  beforeEach(() => agent.reset());

  it('makes a backup image, claims image_backup, records createBackup and casts backup_instance', async () => {
    const vm = await server();
    const res = await act(vm.uuid, { createBackup: { name: 'b1', backup_type: 'daily', rotation: 2, metadata: { backup_type: 'ignored', k: 'v' } } });
    assert.equal(res.statusCode, 202, res.body);
    const id = String(res.headers.location).split('/').pop()!;
    const img = await image(id);
    assert.deepEqual([img.name, img.image_type, img.backup_type, img.instance_uuid, img.k], ['b1', 'backup', 'daily', vm.uuid, 'v']);
    assert.deepEqual(await instanceState(w.compute.db, vm.uuid), { vm_state: 'active', task_state: 'image_backup' });
    assert.deepEqual(await instanceActionNames(w.compute.db, vm.uuid), ['createBackup']);
    await agent.waitFor(1);
    assert.deepEqual(agent.received[0]!.args, { uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], image_id: id, backup_type: 'daily', rotation: 2 });

    const other = await server();
    const none = await act(other.uuid, { createBackup: { name: 'b0', backup_type: 'weekly', rotation: '0' } });
    assert.equal(none.statusCode, 202);
    assert.equal(none.headers.location, undefined, 'no Location with rotation 0');
    const third = await server({ vm_state: 'stopped', power_state: 4 });
    const v245 = await act(third.uuid, { createBackup: { name: 'b2', backup_type: 'daily', rotation: 1 } }, '2.45');
    assert.equal((await image(v245.json().image_id)).backup_type, 'daily');
  });

  it('refuses bad bodies (400), other projects (404), and busy servers (409)', async () => {
    const vm = await server();
    for (const body of [
      { createBackup: { name: 'x', backup_type: 'daily' } }, { createBackup: { name: 'x', backup_type: 'daily', rotation: -1 } },
      { createBackup: { name: '', backup_type: 'daily', rotation: 1 } }, { createBackup: { name: 'x', backup_type: 1, rotation: 1 } },
      { createBackup: { name: 'x', backup_type: 'daily', rotation: 1, extra: 1 } }, { createBackup: { name: 'x', backup_type: 'daily', rotation: 'a' } },
    ]) assert.equal((await act(vm.uuid, body)).statusCode, 400, JSON.stringify(body));
    const good = { createBackup: { name: 'x', backup_type: 'daily', rotation: 1 } };
    assert.equal((await act(vm.uuid, good, undefined, w.compute.bob.token)).statusCode, 404);
    const busy = await server({ task_state: 'rebooting' });
    assert.equal((await act(busy.uuid, good)).statusCode, 409);
  });

  it('rotation deletes the server\'s oldest backups of that type beyond the count', async () => {
    const uuid = '5a5a5a5a-0000-4000-8000-000000000001';
    const backup = async (name: string, type = 'daily') => {
      const img = await w.createImage(t.token, { name, noData: true, properties: { instance_uuid: uuid, image_type: 'backup', backup_type: type } });
      await sleep(1100); // Glance's created_at has whole seconds: the order must be unambiguous
      return img.id;
    };
    const [oldest, middle, newest, weekly] = [await backup('b1'), await backup('b2'), await backup('b3'), await backup('w1', 'weekly')];
    const images = w.compute.deps.clients.imageAs(t.token, 'req-test');
    const log = createLogger('silent');
    await rotateBackups(images, uuid, { type: 'daily', rotation: 2 }, log);
    assert.equal(await image(oldest), undefined);
    assert.ok(await image(middle));
    assert.ok(await image(newest));
    await rotateBackups(images, uuid, { type: 'weekly', rotation: 0 }, log);
    assert.equal(await image(weekly), undefined, 'rotation 0 keeps none');
    assert.ok(await image(newest), 'other types untouched');
    const at = (s: string) => ({ id: s, created_at: s } as unknown as Image);
    assert.deepEqual(backupsToDelete([at('2024-01-02'), at('2024-01-03'), at('2024-01-01')], 1).map((i) => i.id), ['2024-01-02', '2024-01-01']);
  });
});
