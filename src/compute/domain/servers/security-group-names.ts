// The names of the security groups on a server's ports, kept in its request spec
// (security_groups) so the server view shows what the ports hold after add/removeSecurityGroup —
// Nova asks Neutron on every show; the spec is our cache of that answer.
import type { Kysely } from 'kysely';
import type { NetworkClient } from '../../../core/clients/index.js';
import type { ComputeDb } from '../../db/schema.js';
import { nowIso } from '../../db/transaction.js';

/** The distinct names of the groups on the server's ports, in port order. */
export async function portGroupNames(net: NetworkClient, serverUuid: string): Promise<string[]> {
  const ids = [...new Set((await net.listPortsByDevice(serverUuid)).flatMap((p) => p.security_groups ?? []))];
  const names: string[] = [];
  for (const id of ids) {
    const group = await net.findSecurityGroup(id);
    if (group && !names.includes(group.name)) names.push(group.name);
  }
  return names;
}

export async function recordServerGroupNames(db: Kysely<ComputeDb>, serverUuid: string, names: readonly string[]): Promise<void> {
  const row = await db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', serverUuid).executeTakeFirst();
  if (!row) return;
  let spec: Record<string, unknown>;
  try { spec = JSON.parse(row.spec) as Record<string, unknown>; } catch { return; }
  await db.updateTable('nova_request_spec').set({ spec: JSON.stringify({ ...spec, security_groups: [...names] }), updated_at: nowIso() })
    .where('instance_uuid', '=', serverUuid).execute();
}
