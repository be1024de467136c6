// changePassword on the host (nova/compute/manager.py set_admin_password with the libvirt
// driver): only through the QEMU guest agent, so only for images that asked for one
// (hw_qemu_guest_agent=yes, kept in build.json's hardware) and only while the guest runs. The
// errors carry Nova's exception names, which the API turns into its 409s. The task state
// (updating_password) is cleared whatever happens.
import { POWER_STATE } from '../conductor/instance-protocol.js';
import { setGuestUserPassword } from '../virt/guest-agent.js';
import { DEFAULT_HARDWARE } from './guest-hardware.js';
import type { InstanceManager } from './manager.js';
import type { SetAdminPasswordRequest } from './rpc-handlers.js';

export const PASSWORD_EVENT = 'compute_set_admin_password';

/** A failure the API shows by name (nova.exception class names). */
export class SetPasswordError extends Error {
  constructor(name: 'QemuGuestAgentNotEnabled' | 'InstancePasswordSetFailed', message: string) {
    super(message);
    this.name = name;
  }
}

/** Resolves once the guest agent set the password; rejects with a SetPasswordError otherwise. */
export function setAdminPassword(m: InstanceManager, request: SetAdminPasswordRequest): Promise<void> {
  const { uuid, request_id } = request;
  return new Promise<void>((resolve, reject) => {
    void m.locked(uuid, async () => {
      await m.eventStart(uuid, request_id, PASSWORD_EVENT);
      const failure = await setThroughGuestAgent(m, request).then(() => undefined, (error: unknown) => error ?? new Error('failed'));
      // The task is cleared before the API hears back, so the caller's next request finds none.
      await m.instanceUpdate(uuid, { task_state: null }, ['updating_password']).catch(() => undefined);
      await m.eventFinish(uuid, request_id, PASSWORD_EVENT, failure === undefined ? 'Success' : 'Error', failure);
      if (failure === undefined) resolve();
      else reject(failure);
    });
  });
}

async function setThroughGuestAgent(m: InstanceManager, { uuid, password }: SetAdminPasswordRequest): Promise<void> {
  const record = await m.record(uuid);
  const hw = record.hardware ?? DEFAULT_HARDWARE;
  if (!hw.guestAgent) throw new SetPasswordError('QemuGuestAgentNotEnabled', 'QEMU guest agent is not enabled');
  if ((await m.driver.powerState(uuid)) !== POWER_STATE.RUNNING) {
    throw new SetPasswordError('InstancePasswordSetFailed', `Failed to set admin password on ${uuid} because instance ${uuid} is not running`);
  }
  // Nova's default admin user (os_admin_user): Administrator on Windows, root elsewhere.
  const user = hw.osType === 'windows' ? 'Administrator' : 'root';
  await setGuestUserPassword(m.files.guestAgentSocketPath(uuid), user, password).catch((err: unknown) => {
    m.logger.warn({ err, instance: uuid }, 'guest-set-user-password failed');
    throw new SetPasswordError('InstancePasswordSetFailed', `Failed to set admin password on ${uuid} because error setting admin password`);
  });
}
