// Building security group rule rows. Shared by the API's rule create and by the rules Neutron
// adds itself (a new group's egress rules, the default group's rules).
import { randomUUID } from 'node:crypto';
import type { SecurityGroupRuleRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { newStandard } from '../standard-attrs.js';

export interface RuleSpec {
  readonly direction: 'ingress' | 'egress';
  readonly ethertype: 'IPv4' | 'IPv6';
  readonly protocol?: string | null;
  readonly port_range_min?: number | null;
  readonly port_range_max?: number | null;
  readonly remote_ip_prefix?: string | null;
  readonly remote_group_id?: string | null;
  readonly remote_address_group_id?: string | null;
  readonly normalized_cidr?: string | null;
  readonly description?: string;
}

export function newRuleRow(projectId: string, groupId: string, spec: RuleSpec): SecurityGroupRuleRow {
  return {
    id: randomUUID(),
    project_id: projectId,
    security_group_id: groupId,
    direction: spec.direction,
    ethertype: spec.ethertype,
    protocol: spec.protocol ?? null,
    port_range_min: spec.port_range_min ?? null,
    port_range_max: spec.port_range_max ?? null,
    remote_ip_prefix: spec.remote_ip_prefix ?? null,
    remote_group_id: spec.remote_group_id ?? null,
    remote_address_group_id: spec.remote_address_group_id ?? null,
    normalized_cidr: spec.normalized_cidr ?? null,
    ...newStandard(spec.description ?? ''),
  };
}

const ETHERTYPES = ['IPv4', 'IPv6'] as const;

/** What Neutron gives every new group: all egress traffic, both IP versions. */
export function defaultEgressRules(projectId: string, groupId: string): SecurityGroupRuleRow[] {
  return ETHERTYPES.map((ethertype) => newRuleRow(projectId, groupId, { direction: 'egress', ethertype }));
}

/** The default group also lets in everything from its own members. */
export function defaultGroupRules(projectId: string, groupId: string): SecurityGroupRuleRow[] {
  return [
    ...defaultEgressRules(projectId, groupId),
    ...ETHERTYPES.map((ethertype) => newRuleRow(projectId, groupId, { direction: 'ingress', ethertype, remote_group_id: groupId })),
  ];
}

export async function insertRules(trx: NetworkTx, rows: readonly SecurityGroupRuleRow[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('net_security_group_rule').values([...rows]).execute();
}
