// The quotas and quota_details extensions (neutron/extensions/quotasv2.py): a project reads its
// own limits; other projects' limits, the list of non-default ones, and every change need the
// get_quota / update_quota / delete_quota rules (admin only by default).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { callerFor } from './resource-routes.js';
import { resourceBody } from './attributes.js';
import { boolean, integer } from './validators.js';
import type { Caller } from '../domain/caller.js';
import { badAttribute } from '../domain/errors.js';
import { enforce } from '../domain/policy.js';
import {
  allProjectLimits, checkProjectId, defaultLimits, MAX_LIMIT, projectLimits, quotaDetails, quotaResources, resetLimits, setLimits, type Limits,
} from '../domain/quota-sets.js';

/** The quota API's policy target is always the caller's own project (validate_policy). */
function enforceQuota(deps: NetworkDeps, caller: Caller, rule: string): void {
  enforce(deps, caller, rule, { project_id: caller.projectId, tenant_id: caller.projectId });
}

/** PUT body → limits; `force` and `check_limit` are request flags, not resources. */
function parseQuotaUpdate(body: unknown, resources: readonly string[]): { limits: Limits; checkLimit: boolean } {
  const item = { ...resourceBody(body, 'quota') };
  const checkLimit = item.check_limit === undefined ? false : boolean(item.check_limit, 'check_limit');
  if (item.force !== undefined) boolean(item.force, 'force');
  delete item.check_limit;
  delete item.force;
  const unknown = Object.keys(item).filter((k) => !resources.includes(k));
  if (unknown.length > 0) throw badAttribute(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  const limits: Limits = {};
  for (const [key, value] of Object.entries(item)) limits[key] = integer(-1, MAX_LIMIT)(value, key);
  return { limits, checkLimit };
}

export function registerQuotaRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  const { config, db } = deps;
  const projectParam = (request: FastifyRequest): string => {
    const id = (request.params as { id: string }).id;
    checkProjectId(id);
    return id;
  };
  /** Reading another project's quotas needs get_quota. */
  const readable = async (request: FastifyRequest): Promise<string> => {
    const caller = await callerFor(deps, request);
    const id = projectParam(request);
    if (id !== caller.projectId) enforceQuota(deps, caller, 'get_quota');
    return id;
  };

  app.get('/v2.0/quotas', async (request) => {
    enforceQuota(deps, await callerFor(deps, request), 'get_quota');
    return { quotas: await allProjectLimits(db, config) };
  });

  // Collection actions: the caller's own project id, under either name.
  for (const key of ['tenant', 'project'] as const) {
    app.get(`/v2.0/quotas/${key}`, async (request) => {
      const caller = await callerFor(deps, request);
      if (caller.projectId === '') throw badAttribute('Tenant-id was missing from quota request.');
      return { [key]: { [`${key}_id`]: caller.projectId } };
    });
  }

  app.get('/v2.0/quotas/:id', async (request) => ({ quota: await projectLimits(db, config, await readable(request)) }));

  app.get('/v2.0/quotas/:id/default', async (request) => {
    await readable(request);
    return { quota: defaultLimits(config) };
  });

  // Tempest asks for `details.json`: the server strips a .json suffix from every path, as Neutron does.
  app.get('/v2.0/quotas/:id/details', async (request) => ({ quota: await quotaDetails(db, config, await readable(request)) }));

  app.put('/v2.0/quotas/:id', async (request) => {
    const caller = await callerFor(deps, request);
    const id = projectParam(request);
    enforceQuota(deps, caller, 'update_quota');
    const { limits, checkLimit } = parseQuotaUpdate(request.body, quotaResources(config));
    await setLimits(db, id, limits, checkLimit);
    return { quota: await projectLimits(db, config, id) };
  });

  app.delete('/v2.0/quotas/:id', async (request, reply) => {
    const caller = await callerFor(deps, request);
    const id = projectParam(request);
    enforceQuota(deps, caller, 'delete_quota');
    await resetLimits(db, id);
    reply.code(204).send();
  });
}
