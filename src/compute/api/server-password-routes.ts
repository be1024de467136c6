// The password a guest posted to the metadata service (nova/api/openstack/compute/server_password.py):
// GET /servers/{id}/os-server-password shows it ('' when none), DELETE clears it (204) so the guest
// may post a new one. Stored as Nova keeps it: password_0 … password_3 in the system metadata.
import { enforce } from '../domain/policy.js';
import { visibleInstance } from '../domain/servers/lookup.js';
import { nowIso } from '../db/transaction.js';
import { extractPassword, parseSystemMetadata, passwordEntries } from '../metadata/password.js';
import type { ComputeRouter } from './router.js';

export function registerServerPasswordRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers/:server_id/os-server-password', {
    handler: async (ctx) => {
      const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-server-password:show', { project_id: row.project_id });
      return { password: extractPassword(parseSystemMetadata(row.system_metadata)) };
    },
  });
  router.route('DELETE', '/servers/:server_id/os-server-password', {
    status: 204,
    handler: async (ctx) => {
      const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-server-password:clear', { project_id: row.project_id });
      // Compare-and-set on the column, as the metadata service writes it: a racing guest POST
      // either lands before (and is cleared) or after (and stays).
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await ctx.deps.db.selectFrom('nova_instance').select('system_metadata').where('uuid', '=', row.uuid).executeTakeFirst();
        if (!current) return undefined;
        const sys = { ...parseSystemMetadata(current.system_metadata), ...passwordEntries('') };
        const done = await ctx.deps.db.updateTable('nova_instance').set({ system_metadata: JSON.stringify(sys), updated_at: nowIso() })
          .where('uuid', '=', row.uuid).where('system_metadata', '=', current.system_metadata).executeTakeFirst();
        if (Number(done.numUpdatedRows) === 1) return undefined;
      }
      return undefined;
    },
  });
}
