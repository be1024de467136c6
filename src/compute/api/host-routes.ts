// os-hosts (nova/api/openstack/compute/hosts.py), deprecated and removed in 2.43 (a 404 from
// there, as every endpoint's range says):
//   GET /os-hosts[?zone=]               enabled services other than the API's: host, topic, zone
//   GET /os-hosts/{host}                the compute node's (total) and (used_now), the servers'
//                                       (used_max) and one row per project owning servers there
//   PUT /os-hosts/{host}                status enable|disable → the host's compute service;
//                                       maintenance_mode is not implemented by the libvirt driver (501)
//   GET /os-hosts/{host}/{startup|shutdown|reboot}   host power actions: libvirt's
//                                       host_power_action raises NotImplementedError (501)
// An unknown host is a 404 before anything else, as Nova's _assert_host_exists.
import { ApiError, badRequest } from '../../core/errors.js';
import type { ComputeNodeRow, ServiceRow } from '../db/schema.js';
import { API_SERVICE_BINARIES, serviceIsUp, zonedServices } from '../domain/availability-zones.js';
import { enforce } from '../domain/policy.js';
import { updateServiceByHostBinary } from '../domain/services.js';
import type { ComputeRouter, Ctx, Endpoint } from './router.js';
import { lastQueryValue, validateBody, type Schema } from './validation.js';

const MAX = '2.42';
const computeHostNotFound = (host: string): ApiError => new ApiError(404, `Compute host ${host} could not be found.`, 'ComputeHostNotFound');
const notImplemented = (message: string): ApiError => new ApiError(501, message, 'NotImplemented');

const ENABLE_DISABLE = ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'];
const UPDATE: Schema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ENABLE_DISABLE },
    maintenance_mode: { type: 'string', enum: ENABLE_DISABLE },
  },
  additionalProperties: false,
};

async function listHosts(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-hosts:list', {});
  const zone = lastQueryValue(ctx.query, 'zone');
  const services = (await zonedServices(ctx.deps.db, ctx.deps.compute))
    .filter((s) => !s.disabled && !API_SERVICE_BINARIES.includes(s.binary) && (!zone || s.availability_zone === zone));
  return { hosts: services.map((s) => ({ host_name: s.host, service: s.topic ?? s.binary, zone: s.availability_zone })) };
}

async function computeService(ctx: Ctx, host: string): Promise<ServiceRow> {
  const service = await ctx.deps.db.selectFrom('nova_service').selectAll().where('host', '=', host).where('binary', '=', 'nova-compute').executeTakeFirst();
  if (!service) throw computeHostNotFound(host);
  return service;
}

interface Usage { cpu: number; memory_mb: number; disk_gb: number }
const row = (host: string, project: string, u: Usage) => ({ resource: { host, project, cpu: u.cpu, memory_mb: u.memory_mb, disk_gb: u.disk_gb } });

async function showHost(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-hosts:show', {});
  const host = ctx.params.host!;
  const node: ComputeNodeRow | undefined = await ctx.deps.db.selectFrom('nova_compute_node').selectAll().where('host', '=', host).orderBy('id').executeTakeFirst();
  if (!node) throw computeHostNotFound(host);
  const servers = await ctx.deps.db.selectFrom('nova_instance').select(['project_id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb'])
    .where('host', '=', host).where('deleted', '=', 0).orderBy('id').execute();
  const max: Usage = { cpu: 0, memory_mb: 0, disk_gb: 0 };
  const byProject = new Map<string, Usage>();
  for (const s of servers) {
    const p = byProject.get(s.project_id) ?? { cpu: 0, memory_mb: 0, disk_gb: 0 };
    for (const u of [max, p]) { u.cpu += s.vcpus; u.memory_mb += s.memory_mb; u.disk_gb += s.root_gb + s.ephemeral_gb; }
    byProject.set(s.project_id, p);
  }
  return {
    host: [
      row(host, '(total)', { cpu: node.vcpus, memory_mb: node.memory_mb, disk_gb: node.local_gb }),
      row(host, '(used_now)', { cpu: node.vcpus_used, memory_mb: node.memory_mb_used, disk_gb: node.local_gb_used }),
      row(host, '(used_max)', max),
      ...[...byProject].map(([project, u]) => row(host, project, u)),
    ],
  };
}

async function updateHost(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ status?: string; maintenance_mode?: string }>(ctx.body, UPDATE);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-hosts:update', {});
  if (body.status === undefined && body.maintenance_mode === undefined) throw badRequest("Invalid input for field/attribute body. Value: {}. {} is not valid under any of the given schemas");
  const host = ctx.params.host!;
  const service = await computeService(ctx, host);
  const result: Record<string, string> = { host };
  if (body.status !== undefined) {
    if (!serviceIsUp(service, ctx.deps.compute)) throw badRequest(`Compute service of ${host} is unavailable at this time.`, 'ComputeServiceUnavailable');
    const enabled = body.status.toLowerCase() === 'enable';
    await updateServiceByHostBinary(ctx.deps.db, host, 'nova-compute', enabled ? { disabled: false, disabled_reason: null } : { disabled: true });
    result.status = enabled ? 'enabled' : 'disabled';
  }
  if (body.maintenance_mode !== undefined) throw notImplemented('Virt driver does not implement host maintenance mode.');
  return result;
}

function powerAction(action: 'startup' | 'shutdown' | 'reboot', rule: string): Endpoint {
  return {
    max: MAX,
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, rule, {});
      await computeService(ctx, ctx.params.host!);
      // The libvirt driver's host_power_action (and so Nova's API) answers NotImplementedError.
      throw notImplemented(`Virt driver does not implement host ${action === 'startup' ? 'start' : action}.`);
    },
  };
}

export function registerHostRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-hosts', { max: MAX, handler: listHosts });
  router.route('GET', '/os-hosts/:host', { max: MAX, handler: showHost });
  router.route('PUT', '/os-hosts/:host', { max: MAX, handler: updateHost });
  router.route('GET', '/os-hosts/:host/startup', powerAction('startup', 'os_compute_api:os-hosts:start'));
  router.route('GET', '/os-hosts/:host/shutdown', powerAction('shutdown', 'os_compute_api:os-hosts:shutdown'));
  router.route('GET', '/os-hosts/:host/reboot', powerAction('reboot', 'os_compute_api:os-hosts:reboot'));
}
