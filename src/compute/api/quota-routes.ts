// Quotas (nova/api/openstack/compute/quota_sets.py, quota_classes.py, limits.py):
//   GET/PUT/DELETE /os-quota-sets/{project}[?user_id=], GET …/detail, GET …/defaults;
//   GET/PUT /os-quota-class-sets/{class};  GET /limits[?tenant_id=].
// Resources shown by microversion: nova-network's (fixed_ips, floating_ips, security_groups,
// security_group_rules) go at 2.36 (quota classes: 2.50, which also first shows server_groups
// and server_group_members there), the injected-file ones at 2.57.
import { badRequest } from '../../core/errors.js';
import { invalidInput, invalidProject } from '../domain/errors.js';
import { enforce } from '../domain/policy.js';
import { verifyProjectId } from '../domain/projects.js';
import {
  classLimits, defaultLimits, INJECTED_QUOTAS, limitsFor, NETWORK_QUOTAS, QUOTA_RESOURCES, resetLimits, setClassLimits, setLimits,
  settableRanges, usages, type Limits,
} from '../domain/quotas.js';
import type { ComputeRouter, Ctx } from './router.js';
import { booleanType, lastQueryValue, MAX_INT, pyStr, toBoolean, validateBody, validateQuery, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-quota-sets:${action}`;

/** Quota set resources hidden at the caller's microversion. */
function hiddenQuotaSet(ctx: Ctx): readonly string[] {
  if (ctx.mv.atLeast('2.57')) return [...NETWORK_QUOTAS, ...INJECTED_QUOTAS];
  if (ctx.mv.atLeast('2.36')) return NETWORK_QUOTAS;
  return [];
}

function hiddenQuotaClass(ctx: Ctx): readonly string[] {
  if (ctx.mv.atLeast('2.57')) return [...NETWORK_QUOTAS, ...INJECTED_QUOTAS];
  if (ctx.mv.atLeast('2.50')) return NETWORK_QUOTAS;
  return ['server_groups', 'server_group_members'];
}

function format<T>(id: string | undefined, values: Readonly<Record<string, T>>, hidden: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = id === undefined ? {} : { id };
  for (const r of QUOTA_RESOURCES) if (!hidden.includes(r) && values[r] !== undefined) out[r] = values[r];
  return out;
}

const quotaValue: Schema = { type: ['integer', 'string'], pattern: /^-?[0-9]+$/, minimum: -1, maximum: MAX_INT };

function updateSchema(wrapper: string, resources: readonly string[], withForce: boolean): Schema {
  const properties: Record<string, Schema> = Object.fromEntries(resources.map((r) => [r, quotaValue]));
  if (withForce) properties.force = booleanType;
  return {
    type: 'object',
    properties: { [wrapper]: { type: 'object', properties, additionalProperties: false } },
    required: [wrapper],
    additionalProperties: false,
  };
}

const ALL_WITH_NETWORKS = [...QUOTA_RESOURCES, 'networks'];
const WITHOUT_NETWORK = QUOTA_RESOURCES.filter((r) => !(NETWORK_QUOTAS as readonly string[]).includes(r));
const WITHOUT_INJECTED = WITHOUT_NETWORK.filter((r) => !(INJECTED_QUOTAS as readonly string[]).includes(r));

const QUOTA_SET_UPDATE = {
  v21: updateSchema('quota_set', ALL_WITH_NETWORKS, true),
  v236: updateSchema('quota_set', WITHOUT_NETWORK, true),
  v257: updateSchema('quota_set', WITHOUT_INJECTED, true),
};
const QUOTA_CLASS_UPDATE = {
  v21: updateSchema('quota_class_set', ALL_WITH_NETWORKS, false),
  v250: updateSchema('quota_class_set', WITHOUT_NETWORK, false),
  v257: updateSchema('quota_class_set', WITHOUT_INJECTED, false),
};

const userQuery: Readonly<Record<string, Schema>> = { user_id: { type: 'string' } };

/** The project in the path; ids are at most 255 characters, so a longer one is no project. */
function projectParam(ctx: Ctx): string {
  const id = ctx.params.tenant_id!;
  if (id.length > 255) throw invalidProject(id.slice(0, 255));
  return id;
}

/** `?user_id=` as urlparse.parse_qs reads it: the first non-blank value. */
function userParam(ctx: Ctx): string | undefined {
  validateQuery(ctx.query, userQuery, !ctx.mv.atLeast('2.75'));
  const raw = ctx.query.user_id;
  const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  const user = values.find((v) => v.trim() !== '');
  if (user !== undefined && user.length > 255) throw invalidInput('user_id has more than 255 characters.');
  return user;
}

/**
 * A schema-checked quota value as an int; the schema's -1..MAX_INT range holds for numbers only,
 * so digit strings are held to it here.
 */
function intValue(resource: string, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (n < -1) throw badRequest(`Invalid input for field/attribute ${resource}. Value: ${pyStr(value)}. ${n} is less than the minimum of -1`);
  if (n > MAX_INT) throw badRequest(`Invalid input for field/attribute ${resource}. Value: ${pyStr(value)}. ${n} is greater than the maximum of ${MAX_INT}`);
  return n;
}

function checkRange(resource: string, limit: number, minimum: number, maximum: number): void {
  const inf = (n: number): number => (n === -1 ? Infinity : n);
  if (inf(limit) < inf(minimum)) {
    throw badRequest(`Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${minimum}.`);
  }
  if (inf(limit) > inf(maximum)) throw badRequest(`Quota limit ${limit} for ${resource} must be less than or equal to ${maximum}.`);
}

async function updateQuotaSet(ctx: Ctx): Promise<unknown> {
  const schema = ctx.mv.atLeast('2.57') ? QUOTA_SET_UPDATE.v257 : ctx.mv.atLeast('2.36') ? QUOTA_SET_UPDATE.v236 : QUOTA_SET_UPDATE.v21;
  const body = validateBody<{ quota_set: Record<string, unknown> }>(ctx.body, schema);
  const projectId = projectParam(ctx);
  enforce(ctx.deps.policy, ctx.caller, RULE('update'), { project_id: projectId });
  const userId = userParam(ctx);
  await verifyProjectId(ctx.deps.projects, ctx.caller, projectId);
  const requested = body.quota_set;
  if (Object.hasOwn(requested, 'networks')) throw badRequest('The networks quota has been removed');
  const force = requested.force !== undefined && toBoolean(requested.force);
  const { db, compute } = ctx.deps;
  const ranges = await settableRanges(db, compute, projectId, userId);
  const limits: Limits = {};
  for (const [resource, value] of Object.entries(requested)) {
    if (resource === 'force') continue;
    const limit = intValue(resource, value);
    if (!force) checkRange(resource, limit, ranges[resource]?.minimum ?? 0, ranges[resource]?.maximum ?? -1);
    limits[resource] = limit;
  }
  await setLimits(db, projectId, userId ?? '', limits);
  return { quota_set: format(undefined, await limitsFor(db, compute, projectId, userId), hiddenQuotaSet(ctx)) };
}

async function limits(ctx: Ctx): Promise<unknown> {
  validateQuery(ctx.query, { tenant_id: { type: 'string' } }, !ctx.mv.atLeast('2.75'));
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:limits', { project_id: ctx.caller.projectId });
  let projectId = ctx.caller.projectId;
  const tenant = lastQueryValue(ctx.query, 'tenant_id');
  if (tenant !== undefined) {
    enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:limits:other_project', { project_id: tenant });
    projectId = tenant.slice(0, 255);
  }
  const { db, compute } = ctx.deps;
  const limit = await limitsFor(db, compute, projectId, undefined);
  const used = await usages(db, projectId, undefined);
  const hidden: string[] = [];
  if (ctx.mv.atLeast('2.36')) hidden.push('floating_ips', 'security_groups', 'security_group_rules');
  if (ctx.mv.atLeast('2.57')) hidden.push('injected_files', 'injected_file_content_bytes');
  const names: Readonly<Record<string, readonly string[]>> = {
    ram: ['maxTotalRAMSize'], instances: ['maxTotalInstances'], cores: ['maxTotalCores'], key_pairs: ['maxTotalKeypairs'],
    floating_ips: ['maxTotalFloatingIps'],
    metadata_items: ctx.mv.atLeast('2.39') ? ['maxServerMeta'] : ['maxServerMeta', 'maxImageMeta'],
    injected_files: ['maxPersonality'], injected_file_content_bytes: ['maxPersonalitySize'],
    security_groups: ['maxSecurityGroups'], security_group_rules: ['maxSecurityGroupRules'],
    server_groups: ['maxServerGroups'], server_group_members: ['maxServerGroupMembers'],
  };
  const absolute: Record<string, number> = {};
  for (const [resource, keys] of Object.entries(names)) {
    if (hidden.includes(resource)) continue;
    for (const key of keys) absolute[key] = limit[resource] ?? -1;
  }
  const usedNames: Readonly<Record<string, string>> = {
    totalRAMUsed: 'ram', totalCoresUsed: 'cores', totalInstancesUsed: 'instances', totalFloatingIpsUsed: 'floating_ips',
    totalSecurityGroupsUsed: 'security_groups', totalServerGroupsUsed: 'server_groups',
  };
  for (const [key, resource] of Object.entries(usedNames)) if (!hidden.includes(resource)) absolute[key] = used[resource] ?? 0;
  return { limits: { rate: [], absolute } };
}

function className(ctx: Ctx): string {
  const id = ctx.params.quota_class!;
  if (id.length > 255) throw invalidInput('quota_class has more than 255 characters.');
  return id;
}

export function registerQuotaRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-quota-sets/:tenant_id', {
    handler: async (ctx) => {
      const projectId = projectParam(ctx);
      enforce(ctx.deps.policy, ctx.caller, RULE('show'), { project_id: projectId });
      const userId = userParam(ctx);
      await verifyProjectId(ctx.deps.projects, ctx.caller, projectId);
      return { quota_set: format(projectId, await limitsFor(ctx.deps.db, ctx.deps.compute, projectId, userId), hiddenQuotaSet(ctx)) };
    },
  });

  router.route('GET', '/os-quota-sets/:tenant_id/detail', {
    handler: async (ctx) => {
      const projectId = projectParam(ctx);
      enforce(ctx.deps.policy, ctx.caller, RULE('detail'), { project_id: projectId });
      const userId = userParam(ctx);
      await verifyProjectId(ctx.deps.projects, ctx.caller, projectId);
      const limit = await limitsFor(ctx.deps.db, ctx.deps.compute, projectId, userId);
      const used = await usages(ctx.deps.db, projectId, userId);
      const detail = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { in_use: used[r] ?? 0, limit: limit[r] ?? -1, reserved: 0 }]));
      return { quota_set: format(projectId, detail, hiddenQuotaSet(ctx)) };
    },
  });

  router.route('GET', '/os-quota-sets/:tenant_id/defaults', {
    handler: async (ctx) => {
      const projectId = projectParam(ctx);
      enforce(ctx.deps.policy, ctx.caller, RULE('defaults'), {});
      await verifyProjectId(ctx.deps.projects, ctx.caller, projectId);
      return { quota_set: format(projectId, await defaultLimits(ctx.deps.db, ctx.deps.compute), hiddenQuotaSet(ctx)) };
    },
  });

  router.route('PUT', '/os-quota-sets/:tenant_id', { handler: updateQuotaSet });

  router.route('DELETE', '/os-quota-sets/:tenant_id', {
    status: 202,
    handler: async (ctx) => {
      const projectId = projectParam(ctx);
      enforce(ctx.deps.policy, ctx.caller, RULE('delete'), { project_id: projectId });
      await resetLimits(ctx.deps.db, projectId, userParam(ctx));
      return undefined;
    },
  });

  router.route('GET', '/os-quota-class-sets/:quota_class', {
    handler: async (ctx) => {
      const name = className(ctx);
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-quota-class-sets:show', { quota_class: name });
      return { quota_class_set: format(name, await classLimits(ctx.deps.db, ctx.deps.compute, name), hiddenQuotaClass(ctx)) };
    },
  });

  router.route('PUT', '/os-quota-class-sets/:quota_class', {
    handler: async (ctx) => {
      const schema = ctx.mv.atLeast('2.57') ? QUOTA_CLASS_UPDATE.v257 : ctx.mv.atLeast('2.50') ? QUOTA_CLASS_UPDATE.v250 : QUOTA_CLASS_UPDATE.v21;
      const body = validateBody<{ quota_class_set: Record<string, unknown> }>(ctx.body, schema);
      const name = className(ctx);
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-quota-class-sets:update', { quota_class: name });
      const values: Limits = {};
      for (const [resource, value] of Object.entries(body.quota_class_set)) {
        if ((QUOTA_RESOURCES as readonly string[]).includes(resource)) values[resource] = intValue(resource, value);
      }
      await setClassLimits(ctx.deps.db, name, values);
      return { quota_class_set: format(undefined, await classLimits(ctx.deps.db, ctx.deps.compute, name), hiddenQuotaClass(ctx)) };
    },
  });

  router.route('GET', '/limits', { handler: limits });
}
