// Nova's security group API over the network service (nova/api/openstack/compute/security_groups.py
// with the Neutron driver of nova/network/security_group_api.py):
//   /os-security-groups (list, create, show, update, delete) — the proxy, gone after 2.35 (404);
//   GET /servers/{id}/os-security-groups — the groups of the server's ports;
//   addSecurityGroup / removeSecurityGroup actions — a group added to or removed from every port.
// Everything is asked of the network service with the caller's own token. Groups are shown in
// Nova's shape: tenant_id, and only ingress rules as {ip_protocol, from_port, to_port, group |
// ip_range}. Neutron's 409s (a group in use, the default group) are Nova's 400s.
import { ApiError, badRequest } from '../../core/errors.js';
import { isServiceApiError, type NetworkClient, type SecurityGroup } from '../../core/clients/index.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { checkNotLocked, instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { portGroupNames, recordServerGroupNames } from '../domain/servers/security-group-names.js';
import { network, networkUnavailable, PROXY_MAX } from './network-proxy.js';
import type { ComputeRouter, Ctx, Endpoint } from './router.js';
import { lastQueryValue, validateBody, type Schema } from './validation.js';

export const RULE = (action: string): string => `os_compute_api:os-security-groups:${action}`;

export const notFound = (id: string): ApiError => new ApiError(404, `Security group ${id} not found.`, 'SecurityGroupNotFound');

/** Neutron's refusals in Nova's words; anything else is the network service failing (503). */
export function translated(err: unknown, id: string): Error {
  if (isServiceApiError(err, 404)) return notFound(id);
  if (isServiceApiError(err, 409) || isServiceApiError(err, 400)) return badRequest(err.detail ?? err.message);
  return networkUnavailable(err);
}

type RuleView = Record<string, unknown>;

/** _convert_to_nova_security_group_rule_format + _format_security_group_rule. */
export function ruleView(rule: Readonly<Record<string, unknown>>, groups: ReadonlyMap<string, SecurityGroup>): RuleView {
  const protocol = (rule.protocol ?? null) as string | null;
  const min = (rule.port_range_min ?? null) as number | null;
  const max = (rule.port_range_max ?? null) as number | null;
  let [from, to] = [min, max];
  if (protocol !== null && min === null && max === null) [from, to] = ['TCP', 'UDP'].includes(protocol.toUpperCase()) ? [1, 65535] : [-1, -1];
  const remote = rule.remote_group_id as string | null | undefined;
  const view: RuleView = { id: rule.id, parent_group_id: rule.security_group_id, ip_protocol: protocol, from_port: from, to_port: to, group: {}, ip_range: {} };
  const group = remote ? groups.get(remote) : undefined;
  if (remote) view.group = group ? { name: group.name, tenant_id: group.project_id } : {};
  else view.ip_range = { cidr: (rule.remote_ip_prefix as string | null | undefined) || '0.0.0.0/0' };
  return view;
}

function groupView(group: SecurityGroup, groups: ReadonlyMap<string, SecurityGroup>): Record<string, unknown> {
  const rules = (group.security_group_rules ?? []).filter((r) => r.direction === 'ingress');
  return { id: group.id, name: group.name, description: group.description, tenant_id: group.project_id, rules: rules.map((r) => ruleView(r, groups)) };
}

/** Views of `shown`, with the groups their rules name looked up (from `known` first). */
async function views(net: NetworkClient, shown: readonly SecurityGroup[], known: readonly SecurityGroup[] = shown): Promise<Record<string, unknown>[]> {
  const groups = new Map(known.map((g) => [g.id, g]));
  for (const g of shown) {
    for (const r of g.security_group_rules ?? []) {
      const remote = r.remote_group_id as string | null | undefined;
      if (remote && !groups.has(remote)) {
        const found = await net.findSecurityGroup(remote).catch(() => undefined);
        if (found) groups.set(remote, found);
      }
    }
  }
  return shown.map((g) => groupView(g, groups));
}

const GROUP_BODY: Schema = { type: 'object', properties: { security_group: { type: 'object' } }, required: ['security_group'] };

/** nova's validate_property: a string, 1–255 characters once stripped (kept as given). */
function property(value: unknown, name: 'name' | 'description'): string {
  if (typeof value !== 'string') throw badRequest(`Security group ${name} is not a string or unicode`);
  const stripped = value.trim();
  if (stripped.length < 1) throw badRequest(`${name} has a minimum character requirement of 1.`);
  if (stripped.length > 255) throw badRequest(`${name} has more than 255 characters.`);
  return value;
}

function groupFields(ctx: Ctx): { name: string; description: string } {
  const group = validateBody<{ security_group: Record<string, unknown> }>(ctx.body, GROUP_BODY).security_group;
  return { name: property(group.name, 'name'), description: property(group.description, 'description') };
}

async function list(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('get'), ownTarget(ctx.caller));
  const allTenants = ctx.caller.isAdmin && ['1', 'true', 'True'].includes(lastQueryValue(ctx.query, 'all_tenants') ?? '');
  const net = network(ctx);
  let groups: SecurityGroup[];
  try {
    groups = await net.listSecurityGroups(allTenants ? {} : { project_id: ctx.caller.projectId });
  } catch (err) {
    throw translated(err, '');
  }
  return { security_groups: await views(net, groups) };
}

async function show(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('show'), ownTarget(ctx.caller));
  const id = ctx.params.id!;
  const net = network(ctx);
  const group = await net.findSecurityGroup(id).catch((err: unknown) => { throw translated(err, id); });
  if (!group) throw notFound(id);
  return { security_group: (await views(net, [group]))[0] };
}

async function create(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('create'), ownTarget(ctx.caller));
  const fields = groupFields(ctx);
  const net = network(ctx);
  const group = await net.createSecurityGroup(fields).catch((err: unknown) => { throw translated(err, ''); });
  return { security_group: (await views(net, [group]))[0] };
}

async function update(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('update'), ownTarget(ctx.caller));
  const id = ctx.params.id!;
  const fields = groupFields(ctx);
  const net = network(ctx);
  const group = await net.updateSecurityGroup(id, fields).catch((err: unknown) => { throw translated(err, id); });
  return { security_group: (await views(net, [group]))[0] };
}

async function remove(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('delete'), ownTarget(ctx.caller));
  const id = ctx.params.id!;
  const deleted = await network(ctx).deleteSecurityGroup(id).catch((err: unknown) => { throw translated(err, id); });
  if (!deleted) throw notFound(id);
  return undefined;
}

async function serverGroups(ctx: Ctx): Promise<unknown> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, RULE('list'), instanceTarget(row));
  const net = network(ctx);
  try {
    const ids = new Set((await net.listPortsByDevice(row.uuid)).flatMap((p) => p.security_groups ?? []));
    if (ids.size === 0) return { security_groups: [] };
    const groups = await net.listSecurityGroups({ id: [...ids] });
    return { security_groups: await views(net, groups) };
  } catch (err) {
    throw translated(err, '');
  }
}

const ACTION_BODY = (action: string): Schema => ({
  type: 'object',
  properties: { [action]: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } },
  required: [action],
});

/** add_to_instance / remove_from_instance: the group (by name in the server's project, or id) on every port. */
async function changeServerGroup(ctx: Ctx, action: 'addSecurityGroup' | 'removeSecurityGroup'): Promise<void> {
  const name = validateBody<Record<string, { name: string }>>(ctx.body, ACTION_BODY(action))[action]!.name.trim();
  if (name === '') throw badRequest('Security group name cannot be empty');
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, RULE(action === 'addSecurityGroup' ? 'add' : 'remove'), instanceTarget(row));
  checkNotLocked(ctx.caller, row);
  const net = network(ctx);
  try {
    const byName = await net.listSecurityGroupsByName(name, row.project_id);
    if (byName.length > 1) throw new ApiError(409, `Multiple security group matches found for name '${name}', use an ID to be more specific.`, 'NoUniqueMatch');
    const group = byName[0] ?? await net.findSecurityGroup(name);
    if (!group) throw new ApiError(404, `Security group ${name} not found for project ${row.project_id}.`, 'SecurityGroupNotFoundForProject');
    const ports = await net.listPortsByDevice(row.uuid);
    if (ports.length === 0) throw badRequest('Cannot apply security group to instance with no ports', 'SecurityGroupCannotBeApplied');
    if (action === 'addSecurityGroup') {
      for (const port of ports) {
        if (port.port_security_enabled === false) throw badRequest('Network requires port_security_enabled and subnet associated in order to apply security groups.', 'SecurityGroupCannotBeApplied');
        const current = port.security_groups ?? [];
        if (!current.includes(group.id)) await net.updatePort(port.id, { security_groups: [...current, group.id] });
      }
    } else {
      const holding = ports.filter((p) => (p.security_groups ?? []).includes(group.id));
      if (holding.length === 0) throw badRequest(`Security group ${name} not associated with the instance ${row.uuid}`, 'SecurityGroupNotExistsForInstance');
      for (const port of holding) await net.updatePort(port.id, { security_groups: (port.security_groups ?? []).filter((g) => g !== group.id) });
    }
    await recordServerGroupNames(ctx.deps.db, row.uuid, await portGroupNames(net, row.uuid));
  } catch (err) {
    throw translated(err, name);
  }
}

export const SERVER_SECURITY_GROUP_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  addSecurityGroup: [{ status: 202, handler: async (ctx) => { await changeServerGroup(ctx, 'addSecurityGroup'); } }],
  removeSecurityGroup: [{ status: 202, handler: async (ctx) => { await changeServerGroup(ctx, 'removeSecurityGroup'); } }],
};

export function registerSecurityGroupRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-security-groups', { max: PROXY_MAX, handler: list });
  router.route('POST', '/os-security-groups', { max: PROXY_MAX, handler: create });
  router.route('GET', '/os-security-groups/:id', { max: PROXY_MAX, handler: show });
  router.route('PUT', '/os-security-groups/:id', { max: PROXY_MAX, handler: update });
  router.route('DELETE', '/os-security-groups/:id', { max: PROXY_MAX, status: 202, handler: remove });
  router.route('GET', '/servers/:server_id/os-security-groups', { handler: serverGroups });
}
