// Servers inserted straight into nova_instance (no POST /servers): the rows the server action,
// metadata, instance action and external event tests act on.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ComputeDb, InstanceRow } from '../../../src/compute/db/schema.js';
import { nextId, nowIso } from '../../../src/compute/db/transaction.js';

export type InstanceOverrides = Partial<InstanceRow> & { project_id: string; user_id: string };

/** An ACTIVE, launched server row on host-a (override anything), not inserted yet. */
export function instanceRow(over: InstanceOverrides & { id: number }): InstanceRow {
  const now = nowIso();
  return {
    uuid: randomUUID(), display_name: 'vm', display_description: null, hostname: 'vm',
    vm_state: 'active', task_state: null, power_state: 1, host: 'host-a', node: 'host-a', compute_node_uuid: null,
    availability_zone: 'nova', requested_availability_zone: null,
    flavor: JSON.stringify({ id: 1, flavorid: '42', name: 'm1.nano', memory_mb: 128, vcpus: 1, root_gb: 1, ephemeral_gb: 0 }),
    vcpus: 1, memory_mb: 128, root_gb: 1, ephemeral_gb: 0, image_ref: '3f2a9c1e-0000-4000-8000-000000000001',
    key_name: null, key_data: null, user_data: null, config_drive: '', access_ip_v4: null, access_ip_v6: null,
    locked: 0, locked_by: null, locked_reason: null, reservation_id: 'r-abc12345', launch_index: 0, root_device_name: '/dev/vda',
    progress: 0, system_metadata: '{}', created_at: now, updated_at: now, scheduled_at: now, launched_at: now,
    terminated_at: null, deleted: 0, deleted_at: null, ...over,
  };
}

/** instanceRow() inserted, with the next free id. */
export async function insertInstance(db: Kysely<ComputeDb>, over: InstanceOverrides): Promise<InstanceRow> {
  const row = instanceRow({ id: await nextId(db, 'nova_instance'), ...over });
  await db.insertInto('nova_instance').values(row).execute();
  return row;
}

export async function instanceState(db: Kysely<ComputeDb>, uuid: string): Promise<Pick<InstanceRow, 'vm_state' | 'task_state'>> {
  return db.selectFrom('nova_instance').select(['vm_state', 'task_state']).where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

/** The names of the instance actions recorded for a server, oldest first. */
export async function instanceActionNames(db: Kysely<ComputeDb>, uuid: string): Promise<string[]> {
  return (await db.selectFrom('nova_instance_action').select('action').where('instance_uuid', '=', uuid).orderBy('id').execute()).map((a) => a.action);
}
