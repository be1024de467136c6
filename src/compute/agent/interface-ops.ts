// Interface attach / detach on the host (nova/compute/manager.py attach_interface,
// detach_interface; the libvirt driver's hot-plug). Attach makes or binds the port exactly as a
// build does (Vifs.allocatePort), records it in build.json at once (so terminate, restarts and the
// next start know it), and — when QEMU runs — hot-plugs a NIC with the boot's options and waits for
// network-vif-plugged. A stopped guest only gets the record: its next start has the NIC. Detach
// unplugs (the guest must eject it), drops the record entry, then deletes the port if the agent
// made it or unbinds the user's. Both refresh the info cache. Attach is a call: the API answers
// with the port, or with the failure.
import { DEFAULT_HARDWARE } from './guest-hardware.js';
import type { InstanceRecord } from './instance-files.js';
import type { InstanceManager } from './manager.js';
import { nicSpecOf } from './qemu-driver.js';
import type { AttachInterfaceRequest, DetachInterfaceRequest } from './rpc-handlers.js';
import type { InstancePort } from './vifs.js';

export const INTERFACE_EVENTS = { attach: 'compute_attach_interface', detach: 'compute_detach_interface' } as const;

/** Runs `work` under the server's lock and gives its outcome to the caller (m.locked swallows it). */
function lockedCall<T>(m: InstanceManager, uuid: string, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    void m.locked(uuid, async () => {
      try {
        resolve(await work());
      } catch (error) {
        reject(error);
      }
    });
  });
}

async function updateInfoCache(m: InstanceManager, uuid: string, ports: readonly InstancePort[]): Promise<void> {
  await m.conductor('instance_info_cache_update', { uuid, network_info: await m.vifs.vifInfo(ports) });
}

/** The new port's id once it is plugged (or recorded, for a guest that does not run). */
export function attachInterface(m: InstanceManager, request: AttachInterfaceRequest): Promise<string> {
  const { uuid, request_id } = request;
  return lockedCall(m, uuid, async () => {
    const log = m.logger.child({ instance: uuid, request_id });
    await m.eventStart(uuid, request_id, INTERFACE_EVENTS.attach);
    let record: InstanceRecord | undefined;
    let port: InstancePort | undefined;
    let plugged = false;
    try {
      record = await m.record(uuid);
      const hw = record.hardware ?? DEFAULT_HARDWARE;
      port = await m.vifs.allocatePort(record.build, request.requested);
      const ports = [...record.ports, port];
      await m.files.saveRecord({ ...record, ports });
      if (await m.driver.isRunning(uuid)) {
        // Listen before the tap exists (the L2 agent may report it at once).
        const waiting = m.events.wait(uuid, [port.id], m.vifPlugTimeoutMs, (id) => m.vifs.isActive(id));
        waiting.catch(() => undefined);
        await m.driver.plugNic(uuid, nicSpecOf(port, hw));
        plugged = true;
        await waiting;
      }
      await updateInfoCache(m, uuid, ports);
      await m.eventFinish(uuid, request_id, INTERFACE_EVENTS.attach, 'Success');
      log.info({ port: port.id, plugged }, 'interface attached');
      return port.id;
    } catch (error) {
      log.warn({ err: error, port: port?.id }, 'interface attach failed; giving the port back');
      if (record && port) {
        if (plugged) await m.driver.unplugNic(uuid, nicSpecOf(port, record.hardware ?? DEFAULT_HARDWARE)).catch(() => undefined);
        await m.files.saveRecord(record).catch(() => undefined);
        await m.vifs.releasePort(uuid, port).catch((err: unknown) => log.error({ err }, 'could not release the port'));
      }
      await m.eventFinish(uuid, request_id, INTERFACE_EVENTS.attach, 'Error', error);
      throw error;
    }
  });
}

export function detachInterface(m: InstanceManager, request: DetachInterfaceRequest): Promise<void> {
  const { uuid, request_id, port_id } = request;
  return m.locked(uuid, async () => {
    const log = m.logger.child({ instance: uuid, request_id, port: port_id });
    await m.eventStart(uuid, request_id, INTERFACE_EVENTS.detach);
    try {
      const record = await m.record(uuid);
      const port = record.ports.find((p) => p.id === port_id);
      if (!port) throw new Error(`Port ${port_id} is not attached to instance ${uuid} on host ${m.host}.`);
      if (await m.driver.isRunning(uuid)) await m.driver.unplugNic(uuid, nicSpecOf(port, record.hardware ?? DEFAULT_HARDWARE));
      const ports = record.ports.filter((p) => p.id !== port_id);
      await m.files.saveRecord({ ...record, ports });
      await m.vifs.releasePort(uuid, port);
      await updateInfoCache(m, uuid, ports);
      await m.eventFinish(uuid, request_id, INTERFACE_EVENTS.detach, 'Success');
      log.info('interface detached');
    } catch (error) {
      log.error({ err: error }, 'interface detach failed');
      await m.fault(uuid, error);
      await m.eventFinish(uuid, request_id, INTERFACE_EVENTS.detach, 'Error', error);
    }
  });
}
