// changePassword on the host (agent/password-ops.ts) without QEMU: the real InstanceManager and
// files, the conductor double on a memory bus, a driver double for the power state, and a fake
// qemu-ga listening where QEMU would put the guest agent's socket. An image with the guest agent
// gets guest-set-user-password (root, base64) and the task cleared with a Success event; one
// without it, or a guest that does not run, gets Nova's named failures — the task cleared too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { NetworkClient } from '../../../src/core/clients/index.js';
import { DEFAULT_HARDWARE } from '../../../src/compute/agent/guest-hardware.js';
import { InstanceFiles } from '../../../src/compute/agent/instance-files.js';
import { InstanceManager } from '../../../src/compute/agent/manager.js';
import type { QemuDriver } from '../../../src/compute/agent/qemu-driver.js';
import type { InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import { FakeConductor } from '../../support/fake-conductor.js';
import { startFakeGuestAgent } from '../../support/fake-guest-agent.js';

const HOST = 'pw-host';

describe('changePassword on the host (guest agent double)', () => {
  let bus: Bus;
  let conductor: FakeConductor;
  let stateDir = '';
  let manager: InstanceManager;
  const running = new Set<string>();
  const servers: Server[] = [];
  let got: Record<string, any>[] = [];

  const build = (uuid: string): InstanceBuild => ({
    uuid, project_id: 'p', user_id: 'u', display_name: 'vm', hostname: 'vm',
    flavor: { id: 1, flavorid: '1', name: 'm1', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
    image_id: randomUUID(), key_name: null, key_data: null, user_data: null, config_drive: false, metadata: {}, requested_networks: [],
    security_groups: [], availability_zone: null, launch_index: 0, node_uuid: randomUUID(), attempt: 1, request_id: 'req-b', admin_password: null,
  });

  /** A server on this host, updating its password, with or without a guest agent. */
  async function server(guestAgent: boolean, runs: boolean): Promise<string> {
    const uuid = randomUUID();
    await manager.files.saveRecord({ build: build(uuid), ports: [], hardware: { ...DEFAULT_HARDWARE, guestAgent } });
    conductor.servers.set(uuid, { vm_state: 'active', task_state: 'updating_password', power_state: 1, network_info: [] });
    if (runs) running.add(uuid);
    return uuid;
  }

  /** qemu-ga's side of the channel where QEMU would put it. */
  async function fakeGuestAgent(uuid: string): Promise<void> {
    const path = manager.files.guestAgentSocketPath(uuid);
    mkdirSync(dirname(path), { recursive: true });
    const agent = await startFakeGuestAgent(path);
    servers.push(agent.server);
    got = agent.got;
  }

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-pw-'));
    bus = await createBus({ driver: 'memory' });
    conductor = new FakeConductor(HOST);
    await conductor.serve(bus);
    const driver = { powerState: async (uuid: string) => (running.has(uuid) ? 1 : 4), close: () => undefined };
    manager = new InstanceManager({
      bus, host: HOST, files: new InstanceFiles(stateDir), driver: driver as unknown as QemuDriver, network: {} as NetworkClient,
      logger: createLogger(process.env.NIMBUS_TEST_LOG ?? 'silent'),
      image: { getImage: async () => { throw new Error('none'); }, downloadImage: async () => undefined, uploadImageData: async () => undefined, deleteImage: async () => undefined, listImages: async () => [] },
    });
  });
  after(async () => {
    for (const s of servers) s.close();
    await conductor?.server?.stop().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('sets the password through the guest agent and clears the task', async () => {
    const uuid = await server(true, true);
    await fakeGuestAgent(uuid);
    await manager.setAdminPassword({ uuid, request_id: 'req-pw', password: 's3cret' });
    assert.deepEqual(got.map((c) => c.execute), ['guest-sync', 'guest-set-user-password']);
    assert.deepEqual(got[1]!.arguments, { username: 'root', password: Buffer.from('s3cret').toString('base64'), crypted: false });
    assert.equal(conductor.servers.get(uuid)!.task_state, null);
    assert.equal(conductor.called('action_event_finish', (a) => a.uuid === uuid)[0]?.result, 'Success');
  });

  it('refuses an image without the guest agent and a guest that does not run, by Nova\'s names', async () => {
    const noAgent = await server(false, true);
    await assert.rejects(manager.setAdminPassword({ uuid: noAgent, request_id: 'req-pw', password: 'x' }),
      { name: 'QemuGuestAgentNotEnabled', message: 'QEMU guest agent is not enabled' });
    const stopped = await server(true, false);
    await assert.rejects(manager.setAdminPassword({ uuid: stopped, request_id: 'req-pw', password: 'x' }),
      { name: 'InstancePasswordSetFailed', message: `Failed to set admin password on ${stopped} because instance ${stopped} is not running` });
    for (const uuid of [noAgent, stopped]) {
      assert.equal(conductor.servers.get(uuid)!.task_state, null, 'the task is cleared');
      assert.equal(conductor.called('action_event_finish', (a) => a.uuid === uuid)[0]?.result, 'Error');
    }
  });
});
