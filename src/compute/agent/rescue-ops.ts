// rescue / unrescue on the host (nova/compute/manager.py rescue_instance, unrescue_instance; the
// libvirt driver's rescue). Rescue ends the guest, makes disk.rescue — an overlay of the rescue
// image, fetched and verified like any base image — writes a rescue config drive carrying the
// rescue password, records `rescue` in build.json and boots: the rescue disk first, the own disk
// second (QemuDriver.specFor reads the record, so an agent restart or any later start boots the
// same disks). Unrescue ends the rescue guest, drops the rescue files and boots the own disk.
import { rm } from 'node:fs/promises';
import { POWER_STATE } from '../conductor/instance-protocol.js';
import type { InstanceRecord } from './instance-files.js';
import type { InstanceManager } from './manager.js';
import type { InstanceRequest, RescueRequest } from './rpc-handlers.js';

export const RESCUE_EVENTS = { rescue: 'compute_rescue_instance', unrescue: 'compute_unrescue_instance' } as const;

/** The record without its rescue: what the server boots once unrescued. */
function ownRecord(record: InstanceRecord): InstanceRecord {
  return { build: record.build, ports: record.ports, ...(record.hardware !== undefined ? { hardware: record.hardware } : {}) };
}

async function removeRescueFiles(m: InstanceManager, uuid: string): Promise<void> {
  await rm(m.files.rescueDiskPath(uuid), { force: true });
  await rm(m.files.rescueConfigDrivePath(uuid), { force: true });
}

export function rescueInstance(m: InstanceManager, request: RescueRequest): Promise<void> {
  const { uuid, request_id } = request;
  return m.locked(uuid, async () => {
    const log = m.logger.child({ instance: uuid, request_id, rescue_image: request.rescue_image_id });
    await m.eventStart(uuid, request_id, RESCUE_EVENTS.rescue);
    let record: InstanceRecord | undefined;
    try {
      record = ownRecord(await m.record(uuid));
      const { base } = await m.baseImage({ ...record.build, image_id: request.rescue_image_id });
      await m.driver.destroy(uuid);
      await m.files.createDisk(uuid, base, record.build.flavor.root_gb, m.files.rescueDiskPath(uuid));
      if (record.build.config_drive) {
        // Nova puts the rescue password where the guest reads its admin password: the config drive.
        await m.files.writeConfigDrive({ ...record.build, admin_password: request.admin_password }, await m.vifs.vifInfo(record.ports),
          m.files.rescueConfigDrivePath(uuid));
      }
      const rescued: InstanceRecord = { ...record, rescue: { image_id: request.rescue_image_id } };
      await m.files.saveRecord(rescued);
      await m.driver.spawn(rescued);
      const done = await m.instanceUpdate(uuid, { vm_state: 'rescued', task_state: null, power_state: POWER_STATE.RUNNING }, ['rescuing']);
      if (!done.updated) log.warn({ done }, 'state not recorded: the server changed meanwhile');
      await m.eventFinish(uuid, request_id, RESCUE_EVENTS.rescue, 'Success');
      log.info('instance rescued');
    } catch (error) {
      // Nova sets ERROR (InstanceNotRescuable); the own disk is untouched, so a hard reboot or a
      // new rescue recovers. The record goes back to the own disk first.
      log.error({ err: error }, 'rescue failed');
      await m.driver.destroy(uuid).catch(() => undefined);
      if (record) await m.files.saveRecord(record).catch(() => undefined);
      await removeRescueFiles(m, uuid).catch(() => undefined);
      await m.instanceUpdate(uuid, { vm_state: 'error', task_state: null, power_state: POWER_STATE.SHUTDOWN }, ['rescuing']).catch(() => undefined);
      await m.fault(uuid, error);
      await m.eventFinish(uuid, request_id, RESCUE_EVENTS.rescue, 'Error', error);
    }
  });
}

/**
 * init-host: a rescue cut off by an agent restart. build.json says how far it got: recorded as
 * rescued (the rescue disk and config drive exist by then) → the rescue guest is started (or
 * adopted) and the server is rescued; not yet → the own record stays and the server goes to
 * ERROR as after a failed rescue (a new rescue or a hard reboot recovers it).
 */
export function finishInterruptedRescue(m: InstanceManager, request: InstanceRequest): Promise<void> {
  const { uuid, request_id } = request;
  return m.locked(uuid, async () => {
    const log = m.logger.child({ instance: uuid, request_id });
    const record = await m.record(uuid);
    try {
      if (!record.rescue) throw new Error('The rescue was interrupted by a compute agent restart before its disk was ready.');
      await m.driver.spawn(record);
      await m.instanceUpdate(uuid, { vm_state: 'rescued', task_state: null, power_state: POWER_STATE.RUNNING }, ['rescuing']);
      await m.eventFinish(uuid, request_id, RESCUE_EVENTS.rescue, 'Success');
      log.info('interrupted rescue finished');
    } catch (error) {
      log.warn({ err: error }, 'interrupted rescue given up');
      await m.driver.destroy(uuid).catch(() => undefined);
      await m.files.saveRecord(ownRecord(record));
      await removeRescueFiles(m, uuid);
      await m.instanceUpdate(uuid, { vm_state: 'error', task_state: null, power_state: POWER_STATE.SHUTDOWN }, ['rescuing']);
      await m.fault(uuid, error);
      await m.eventFinish(uuid, request_id, RESCUE_EVENTS.rescue, 'Error', error);
    }
  });
}

export function unrescueInstance(m: InstanceManager, request: InstanceRequest): Promise<void> {
  return m.locked(request.uuid, () => m.runAction(request, RESCUE_EVENTS.unrescue, ['unrescuing'], async () => {
    const own = ownRecord(await m.record(request.uuid));
    await m.driver.destroy(request.uuid);
    await m.files.saveRecord(own);
    await removeRescueFiles(m, request.uuid);
    await m.driver.spawn(own);
    m.logger.info({ instance: request.uuid }, 'instance unrescued');
    return { vm_state: 'active', task_state: null, power_state: POWER_STATE.RUNNING };
  }));
}
