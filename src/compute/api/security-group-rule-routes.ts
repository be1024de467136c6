// Nova's security group rule proxy (SecurityGroupRulesController in
// nova/api/openstack/compute/security_groups.py, the rule checks of nova/network/security_group_api.py):
//   POST /os-security-group-rules — one ingress rule on a group (IPv4 unless the cidr is IPv6),
//   DELETE /os-security-group-rules/{id} — 202; both gone after 2.35 (404).
// Nova checks the rule itself (ids are UUIDs, tcp/udp/icmp, port ranges, the cidr) before the
// network service sees it; a rule the group already has is Nova's 400, whoever notices it.
import { isIP } from 'node:net';
import { badRequest, forbidden } from '../../core/errors.js';
import { isServiceApiError, type SecurityGroup } from '../../core/clients/index.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { network, neutronErrorType, PROXY_MAX } from './network-proxy.js';
import type { ComputeRouter, Ctx } from './router.js';
import { notFound, RULE, ruleView, translated } from './security-group-routes.js';
import { isUuid } from './server-create-schema.js';
import { pyStr } from './validation.js';

/** security_group_api.validate_id. */
function groupId(value: unknown): string {
  if (typeof value !== 'string' || !isUuid(value)) throw badRequest('Security group id should be uuid');
  return value;
}

const invalidCidr = (cidr: unknown): Error => badRequest(`${pyStr(cidr)} is not a valid IP network.`);

/** security_group_api.parse_cidr: 0.0.0.0/0 when absent, else an address with a prefix length. */
function parseCidr(value: unknown): string {
  if (value === undefined || value === null || value === '') return '0.0.0.0/0';
  if (typeof value !== 'string') throw invalidCidr(value);
  let cidr: string;
  try {
    cidr = decodeURIComponent(value);
  } catch {
    throw invalidCidr(value);
  }
  const [address = '', prefix, ...rest] = cidr.split('/');
  const version = isIP(address);
  const bits = Number(prefix);
  if (version === 0 || rest.length > 0 || prefix === undefined || !/^\d+$/.test(prefix) || bits > (version === 4 ? 32 : 128)) throw invalidCidr(value);
  // nova: a zero prefix only for "everything".
  if (bits === 0 && address !== '0.0.0.0' && address !== '::') throw badRequest(`Bad prefix for network in cidr ${cidr}`);
  return cidr;
}

/** Python's int() of a port: an integer, or a string of one. */
function portNumber(value: unknown, protocol: string): number {
  const n = typeof value === 'number' ? Math.trunc(value) : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n)) return n;
  throw badRequest(protocol.toUpperCase() === 'ICMP'
    ? 'Invalid input received: Type and Code must be integers for ICMP protocol type'
    : 'Invalid input received: To and From ports must be integers');
}

interface IngressRule {
  readonly protocol: string | null;
  readonly from: number | null;
  readonly to: number | null;
}

const invalidRange = (from: number, to: number, why: string): Error => badRequest(`Invalid port range ${from}:${to}. ${why}`);

/** _new_ingress_rule: undefined when a cidr rule lacks its protocol or ports. */
function ingressRule(spec: Readonly<Record<string, unknown>>, byGroup: boolean): IngressRule | undefined {
  const protocol = typeof spec.ip_protocol === 'string' ? spec.ip_protocol : spec.ip_protocol == null ? '' : String(spec.ip_protocol);
  let from = spec.from_port ?? null;
  let to = spec.to_port ?? null;
  const upper = protocol.toUpperCase();
  // A group rule without ports opens the protocol's whole range.
  if (byGroup && from === null && to === null) {
    if (upper === 'ICMP') [from, to] = [-1, -1];
    else if (upper === 'TCP' || upper === 'UDP') [from, to] = [1, 65535];
  }
  if (protocol === '' || from === null || to === null) return byGroup ? { protocol: null, from: null, to: null } : undefined;
  const [min, max] = [portNumber(from, protocol), portNumber(to, protocol)];
  if (!['TCP', 'UDP', 'ICMP'].includes(upper)) throw badRequest(`Invalid IP protocol ${protocol}.`);
  if (upper !== 'ICMP') {
    if (min > max) throw invalidRange(min, max, 'Former value cannot be greater than the later');
    if (min < 1 || max > 65535) throw invalidRange(min, max, `Valid ${upper} ports should be between 1-65535`);
  } else if ([min, max].some((p) => p < -1 || p > 255)) {
    throw invalidRange(min, max, 'For ICMP, the type:code must be valid');
  }
  return { protocol: protocol.toLowerCase(), from: min, to: max };
}

/** _make_neutron_security_group_rules_list: ingress, -1 meaning "any" (left out). */
function neutronRule(parentId: string, rule: IngressRule, remote: { groupId: string } | { cidr: string }): Record<string, unknown> {
  const cidr = 'cidr' in remote ? remote.cidr : null;
  return {
    security_group_id: parentId, direction: 'ingress', protocol: rule.protocol,
    ethertype: cidr !== null && isIP(cidr.split('/')[0]!) === 6 ? 'IPv6' : 'IPv4',
    remote_ip_prefix: cidr, remote_group_id: 'groupId' in remote ? remote.groupId : null,
    ...(rule.from !== null && rule.from !== -1 ? { port_range_min: rule.from } : {}),
    ...(rule.to !== null && rule.to !== -1 ? { port_range_max: rule.to } : {}),
  };
}

function ruleSpec(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) throw badRequest("The request body can't be empty");
  const spec = (body as Record<string, unknown>).security_group_rule;
  if (spec === undefined || spec === null) throw badRequest('Missing parameter security_group_rule');
  if (typeof spec !== 'object' || Array.isArray(spec)) throw badRequest('Missing parameter dict');
  return spec as Record<string, unknown>;
}

async function group(ctx: Ctx, id: string): Promise<SecurityGroup> {
  const found = await network(ctx).findSecurityGroup(id).catch((err: unknown) => { throw translated(err, id); });
  if (!found) throw notFound(id);
  return found;
}

async function create(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('rule:create'), ownTarget(ctx.caller));
  const spec = ruleSpec(ctx.body);
  const parent = await group(ctx, groupId(spec.parent_group_id));
  const source = spec.group_id != null ? await group(ctx, groupId(spec.group_id)) : undefined;
  const remote = source !== undefined ? { groupId: source.id } : { cidr: parseCidr(spec.cidr) };
  const rule = ingressRule(spec, source !== undefined);
  if (rule === undefined) throw badRequest('Not enough parameters to build a valid rule.');
  const duplicate = (): Error => badRequest(`This rule already exists in group ${parent.id}`);
  const created = await network(ctx).createSecurityGroupRule(neutronRule(parent.id, rule, remote)).catch((err: unknown) => {
    const type = neutronErrorType(err);
    // Nova: SecurityGroupLimitExceeded (403) with Neutron's words.
    if (type === 'OverQuota' && isServiceApiError(err)) throw forbidden(err.detail, 'SecurityGroupLimitExceeded');
    throw type === 'SecurityGroupRuleExists' ? duplicate() : translated(err, parent.id);
  });
  const known = new Map([parent, ...(source ? [source] : [])].map((g) => [g.id, g]));
  return { security_group_rule: ruleView(created, known) };
}

async function remove(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, RULE('rule:delete'), ownTarget(ctx.caller));
  const id = groupId(ctx.params.id);
  const deleted = await network(ctx).deleteSecurityGroupRule(id).catch((err: unknown) => { throw translated(err, id); });
  if (!deleted) throw notFound(id);
  return undefined;
}

export function registerSecurityGroupRuleRoutes(router: ComputeRouter): void {
  router.route('POST', '/os-security-group-rules', { max: PROXY_MAX, handler: create });
  router.route('DELETE', '/os-security-group-rules/:id', { max: PROXY_MAX, status: 202, handler: remove });
}
