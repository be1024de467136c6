// Shelve on the hosts (nova/compute/manager.py shelve_instance, shelve_offload_instance,
// unshelve_instance):
//   shelve_instance          guest powered off cleanly, its disk flattened and uploaded into the
//                            image the API made (task shelving → shelving_image_pending_upload →
//                            shelving_image_uploading), vm_state shelved; with `offload` it goes on
//   shelve_offload_instance  guest and files gone, the ports left unbound from this host (they stay
//                            the server's), the conductor frees the host and its resources
//   unshelve_instance        `local`: the shelved guest started again here; otherwise a disk from
//                            the shelved image, the ports bound here, booted → active; the
//                            shelved image is deleted afterwards, as Nova does
import { rm } from 'node:fs/promises';
import { POWER_STATE } from '../conductor/instance-protocol.js';
import type { InstanceBuild } from '../rpc/compute-protocol.js';
import type { InstanceRecord } from './instance-files.js';
import { InstanceGoneError, type InstanceManager } from './manager.js';
import { bindPortsHere, moveStep, refreshNetwork } from './move-ops.js';
import type { InstanceRequest } from './rpc-handlers.js';
import type { InstancePort } from './vifs.js';

export interface ShelveRequest extends InstanceRequest { readonly image_id: string; readonly offload: boolean }
export interface UnshelveRequest extends InstanceRequest {
  readonly shelved_image_id: string | null;
  /** Shelved, not offloaded: the guest's files are still on this host. */
  readonly local: boolean;
  readonly build?: InstanceBuild;
  readonly ports?: readonly InstancePort[];
}

export const SHELVE_EVENTS = {
  shelve: 'compute_shelve_instance',
  offload: 'compute_shelve_offload_instance',
  unshelve: 'compute_unshelve_instance',
} as const;

const SHELVE_TASKS = ['shelving', 'shelving_image_pending_upload', 'shelving_image_uploading'];

export class ShelveOperations {
  constructor(private readonly m: InstanceManager) {}

  shelveInstance(r: ShelveRequest): Promise<void> {
    const { uuid } = r;
    const path = this.m.files.snapshotPath(uuid, r.image_id);
    let wasRunning = false;
    let shelved = false;
    return moveStep(this.m, r, SHELVE_EVENTS.shelve, async () => {
      wasRunning = await this.m.driver.isRunning(uuid);
      await this.m.driver.powerOff(uuid);
      await this.m.driver.discardSuspendState(uuid);
      if (!(await this.m.instanceUpdate(uuid, { task_state: 'shelving_image_pending_upload', power_state: POWER_STATE.SHUTDOWN }, ['shelving'])).updated) throw new InstanceGoneError(uuid);
      await this.m.driver.snapshot(uuid, path);
      await this.m.instanceUpdate(uuid, { task_state: 'shelving_image_uploading' }, ['shelving_image_pending_upload']);
      await this.m.image.uploadImageData(r.image_id, path);
      await rm(path, { force: true });
      await this.m.instanceUpdate(uuid, { vm_state: 'shelved', task_state: r.offload ? 'shelving_offloading' : null, power_state: POWER_STATE.SHUTDOWN }, ['shelving_image_uploading']);
      shelved = true;
    }, async (error) => {
      await rm(path, { force: true });
      if (error instanceof InstanceGoneError) return;
      await this.m.image.deleteImage(r.image_id).catch(() => undefined);
      await this.m.instanceUpdate(uuid, { task_state: null }, SHELVE_TASKS);
      if (wasRunning) await this.m.driver.spawn(await this.m.record(uuid));
      await this.m.fault(uuid, error);
    }).then(async () => {
      if (shelved && r.offload) await this.#offload(r, ['shelving_offloading']);
    });
  }

  shelveOffloadInstance(r: InstanceRequest): Promise<void> {
    return this.#offload(r, ['shelving_offloading']);
  }

  #offload(r: InstanceRequest, expected: string[]): Promise<void> {
    return moveStep(this.m, r, SHELVE_EVENTS.offload, async () => {
      const record = await this.m.record(r.uuid);
      await this.m.driver.destroy(r.uuid);
      // The ports stay the server's (an unshelve binds them wherever it lands); only this host lets go.
      for (const port of record.ports) await this.m.network.bindPort(port.id, { hostId: '' });
      await this.m.files.remove(r.uuid);
      const done = await this.m.conductor<{ updated: boolean }>('shelve_offloaded', { uuid: r.uuid, host: this.m.host });
      if (!done.updated) this.m.logger.warn({ instance: r.uuid, expected }, 'offload not recorded: the server changed meanwhile');
    }, async (error) => {
      await this.m.instanceUpdate(r.uuid, { task_state: null }, expected).catch(() => undefined);
      await this.m.fault(r.uuid, error);
    });
  }

  unshelveInstance(r: UnshelveRequest): Promise<void> {
    const { uuid } = r;
    let built = false;
    return moveStep(this.m, r, SHELVE_EVENTS.unshelve, async () => {
      let record: InstanceRecord;
      if (r.local) {
        record = await this.m.record(uuid);
      } else {
        if (r.build === undefined || r.ports === undefined || r.shelved_image_id === null) throw new Error('unshelve of an offloaded server needs its build, ports and shelved image');
        if (!(await this.m.instanceUpdate(uuid, { task_state: 'spawning' }, ['unshelving'])).updated) throw new InstanceGoneError(uuid);
        const { base, hardware } = await this.m.baseImage({ ...r.build, image_id: r.shelved_image_id });
        await this.m.files.createDisk(uuid, base, r.build.flavor.root_gb);
        built = true;
        record = { build: r.build, ports: r.ports, hardware };
        await this.m.files.saveRecord(record);
        await bindPortsHere(this.m, record);
        await refreshNetwork(this.m, record);
      }
      const ids = record.ports.map((p) => p.id);
      const waiting = ids.length > 0 && !r.local ? this.m.events.wait(uuid, ids, this.m.vifPlugTimeoutMs, (id) => this.m.vifs.isActive(id)) : Promise.resolve();
      waiting.catch(() => undefined);
      await this.m.driver.spawn(record);
      await waiting;
      await this.m.instanceUpdate(uuid, { vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING }, r.local ? ['unshelving'] : ['spawning']);
      if (r.shelved_image_id !== null) await this.m.image.deleteImage(r.shelved_image_id).catch((err: unknown) => this.m.logger.warn({ err, instance: uuid }, 'could not delete the shelved image'));
    }, async (error) => {
      if (error instanceof InstanceGoneError) return;
      if (built) await this.m.driver.destroy(uuid).catch(() => undefined);
      await this.m.instanceUpdate(uuid, { vm_state: 'error', task_state: null }).catch(() => undefined);
      await this.m.fault(uuid, error);
    });
  }
}
