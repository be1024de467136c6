// /v2.0/security-groups and /v2.0/security-group-rules (Neutron's security-group extension with
// stateful-security-group, rbac-security-groups and security-groups-remote-address-group).
// Rules have no PUT in Neutron: they are created and deleted.
import type { FastifyInstance } from 'fastify';
import type { Caller } from '../domain/caller.js';
import { createGroup, deleteGroup, listGroups, showGroup, updateGroup, type GroupAttrs } from '../domain/security-groups/groups.js';
import { createRules, deleteRule, listRules, showRule, type RuleAttrs } from '../domain/security-groups/rules.js';
import { convertEthertype, convertIpPrefix, convertPort, convertProtocol } from '../domain/security-groups/rule-input.js';
import { parseCreate, parseUpdate, type AttrMap } from './attributes.js';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { boolean, nullable, oneOf, string, uuid } from './validators.js';

const GROUP_ATTRS: AttrMap = {
  name: { post: true, put: true, default: '', validate: string(255) },
  description: { post: true, put: true, default: '', validate: string(255) },
  stateful: { post: true, put: true, default: true, validate: boolean },
  security_group_rules: {},
  shared: {},
};

const RULE_ATTRS: AttrMap = {
  security_group_id: { post: true, required: true, validate: uuid },
  direction: { post: true, required: true, validate: oneOf(['ingress', 'egress'] as const) },
  ethertype: { post: true, default: 'IPv4', validate: convertEthertype },
  protocol: { post: true, default: null, validate: convertProtocol },
  port_range_min: { post: true, default: null, validate: convertPort },
  port_range_max: { post: true, default: null, validate: convertPort },
  remote_ip_prefix: { post: true, default: null, validate: (v) => v },
  // Neutron does not validate the id's shape: an unknown group is a 404, not a 400.
  remote_group_id: { post: true, default: null, validate: nullable(string(255)) },
  remote_address_group_id: { post: true, default: null, validate: nullable(uuid) },
  description: { post: true, default: '', validate: string(255) },
  normalized_cidr: {},
  belongs_to_default_sg: {},
};

function parseRule(body: Record<string, unknown>, caller: Caller): { attrs: RuleAttrs; givenPrefix: unknown; ownerGiven: boolean } {
  const { attrs, given } = parseCreate(body, RULE_ATTRS, caller);
  const givenPrefix = attrs.remote_ip_prefix;
  const parsed = { ...attrs, remote_ip_prefix: convertIpPrefix(givenPrefix) } as unknown as RuleAttrs;
  return { attrs: parsed, givenPrefix, ownerGiven: given.has('project_id') };
}

export function registerSecurityGroupRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'security_group',
    collection: 'security_groups',
    path: 'security-groups',
    create: (d, caller, body) => {
      const { attrs, given } = parseCreate(body, GROUP_ATTRS, caller);
      return createGroup(d, caller, attrs as unknown as GroupAttrs, given);
    },
    undoCreate: (d, caller, created) => deleteGroup(d, caller, String(created.id), undefined),
    list: (d, caller, query) => listGroups(d, caller, query),
    show: (d, caller, id) => showGroup(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateGroup(d, caller, id, parseUpdate(body, GROUP_ATTRS), ifMatch),
    remove: (d, caller, id, ifMatch) => deleteGroup(d, caller, id, ifMatch),
  });
  registerResource(app, deps, {
    resource: 'security_group_rule',
    collection: 'security_group_rules',
    path: 'security-group-rules',
    createAll: (d, caller, bodies) => createRules(d, caller, bodies.map((body) => parseRule(body, caller))),
    list: (d, caller, query) => listRules(d, caller, query),
    show: (d, caller, id) => showRule(d, caller, id),
    remove: (d, caller, id, ifMatch) => deleteRule(d, caller, id, ifMatch),
  });
}
