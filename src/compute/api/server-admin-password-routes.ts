// changePassword (nova/api/openstack/compute/admin_password.py): {"changePassword": {"adminPass"}}
// checked against Nova's schema, the os-admin-password policy, then the domain
// (domain/servers/admin-password.ts); 202 once the guest agent set it.
import { enforce } from '../domain/policy.js';
import { changeAdminPassword } from '../domain/servers/admin-password.js';
import { instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import type { Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';

const CHANGE_PASSWORD: Schema = {
  type: 'object',
  properties: {
    changePassword: {
      type: 'object',
      properties: { adminPass: { type: 'string' } },
      required: ['adminPass'],
      additionalProperties: false,
    },
  },
  required: ['changePassword'],
  additionalProperties: false,
};

async function changePassword(ctx: Ctx): Promise<void> {
  const password = validateBody<{ changePassword: { adminPass: string } }>(ctx.body, CHANGE_PASSWORD).changePassword.adminPass;
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-admin-password', instanceTarget(row));
  await changeAdminPassword(ctx.deps, ctx.caller, row, password);
}

export const SERVER_PASSWORD_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  changePassword: [{ status: 202, handler: changePassword }],
};
