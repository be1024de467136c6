// Flavor access (nova/api/openstack/compute/flavor_access.py): the projects a private flavor is
// shared with — GET /flavors/{id}/os-flavor-access, and the addTenantAccess/removeTenantAccess
// actions on POST /flavors/{id}/action. From 2.7 a public flavor cannot be given an access list.
import { conflict, notFound } from '../../core/errors.js';
import type { FlavorRow } from '../db/schema.js';
import { addFlavorAccess, flavorProjects, getFlavor, removeFlavorAccess } from '../domain/flavors.js';
import { flavorPayload, notify } from '../domain/notify.js';
import { enforce } from '../domain/policy.js';
import { verifyProjectId } from '../domain/projects.js';
import type { ComputeRouter, Ctx } from './router.js';
import { validateBody, type Schema } from './validation.js';

function marshall(flavor: FlavorRow, projects: readonly string[]): Record<string, unknown> {
  return { flavor_access: projects.map((tenant_id) => ({ flavor_id: flavor.flavorid, tenant_id })) };
}

function tenantSchema(action: string): Schema {
  return {
    type: 'object',
    properties: {
      [action]: {
        type: 'object',
        properties: { tenant: { type: 'string', minLength: 1, maxLength: 255 } },
        required: ['tenant'],
        additionalProperties: false,
      },
    },
    required: [action],
    additionalProperties: false,
  };
}

const ADD = tenantSchema('addTenantAccess');
const REMOVE = tenantSchema('removeTenantAccess');

async function addTenantAccess(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ addTenantAccess: { tenant: string } }>(ctx.body, ADD);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-flavor-access:add_tenant_access', {});
  const tenant = body.addTenantAccess.tenant;
  await verifyProjectId(ctx.deps.projects, ctx.caller, tenant);
  const flavor = await getFlavor(ctx.deps.db, ctx.caller, ctx.params.flavor_id!);
  if (ctx.mv.atLeast('2.7') && flavor.is_public === 1) throw conflict('Can not add access to a public flavor.');
  const projects = await addFlavorAccess(ctx.deps.db, flavor, tenant);
  notify(ctx.deps.bus, 'flavor.update', flavorPayload(flavor, { projects }));
  return marshall(flavor, projects);
}

async function removeTenantAccess(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ removeTenantAccess: { tenant: string } }>(ctx.body, REMOVE);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-flavor-access:remove_tenant_access', {});
  const tenant = body.removeTenantAccess.tenant;
  await verifyProjectId(ctx.deps.projects, ctx.caller, tenant);
  const flavor = await getFlavor(ctx.deps.db, ctx.caller, ctx.params.flavor_id!);
  const projects = await removeFlavorAccess(ctx.deps.db, flavor.flavorid, tenant);
  notify(ctx.deps.bus, 'flavor.update', flavorPayload(flavor, { projects }));
  return marshall(flavor, projects);
}

export function registerFlavorAccessRoutes(router: ComputeRouter): void {
  router.route('GET', '/flavors/:flavor_id/os-flavor-access', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-flavor-access', {});
      const flavor = await getFlavor(ctx.deps.db, ctx.caller, ctx.params.flavor_id!);
      if (flavor.is_public === 1) throw notFound('Access list not available for public flavors.');
      return marshall(flavor, await flavorProjects(ctx.deps.db, flavor));
    },
  });

  router.actions('/flavors/:flavor_id/action', {
    addTenantAccess: [{ handler: addTenantAccess }],
    removeTenantAccess: [{ handler: removeTenantAccess }],
  });
}
