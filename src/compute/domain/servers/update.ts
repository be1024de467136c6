// PUT /servers/{id} (servers.py update, schemas/servers.py update*): name, OS-DCF:diskConfig,
// accessIPv4/6; description from 2.19; hostname from 2.90 (one label; an FQDN from 2.94).
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { Microversion } from '../../api/microversion.js';
import { descriptionType, nameType, pyRepr, pyStr, validateBody, type Schema } from '../../api/validation.js';
import type { ComputeDb, InstanceRow } from '../../db/schema.js';
import { inTransaction, nowIso } from '../../db/transaction.js';
import { instanceNotFound } from './lookup.js';
import { storedAccessIp } from './access-ip.js';

function ipFormat(field: string, version: 4 | 6): (value: string) => string | undefined {
  return (value) => (isIP(value) === version ? undefined
    : `Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${pyRepr(value)} is not a 'ipv${version}'`);
}

/** parameter_types.hostname (2.90) and fqdn (2.94), as the create schema spells them. */
const hostnameType: Schema = { type: 'string', minLength: 1, maxLength: 63, pattern: /^[a-zA-Z0-9]+[a-zA-Z0-9-]*$/ };
const fqdnType: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: /^[a-zA-Z0-9-._]*$/ };

export function updateSchema(mv: Microversion): Schema {
  const server: Record<string, Schema> = {
    name: nameType,
    'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
    accessIPv4: { type: 'string', format: ipFormat('accessIPv4', 4) },
    accessIPv6: { type: 'string', format: ipFormat('accessIPv6', 6) },
  };
  if (mv.atLeast('2.19')) server.description = descriptionType;
  if (mv.atLeast('2.90')) server.hostname = mv.atLeast('2.94') ? fqdnType : hostnameType;
  return {
    type: 'object',
    properties: { server: { type: 'object', properties: server, additionalProperties: false } },
    required: ['server'],
    additionalProperties: false,
  };
}

export interface ServerChanges {
  display_name?: string;
  display_description?: string | null;
  hostname?: string;
  access_ip_v4?: string;
  access_ip_v6?: string;
}

/** The column changes a validated body asks for. */
export function serverChanges(body: unknown, mv: Microversion): ServerChanges {
  const server = validateBody<{ server: Record<string, unknown> }>(body, updateSchema(mv)).server;
  const changes: ServerChanges = {};
  // common.normalize_name: surrounding whitespace is dropped.
  if (typeof server.name === 'string') changes.display_name = server.name.trim();
  if (Object.hasOwn(server, 'description')) changes.display_description = server.description as string | null;
  if (typeof server.hostname === 'string') changes.hostname = server.hostname;
  if (typeof server.accessIPv4 === 'string') changes.access_ip_v4 = storedAccessIp(server.accessIPv4);
  if (typeof server.accessIPv6 === 'string') changes.access_ip_v6 = storedAccessIp(server.accessIPv6);
  return changes;
}

/** Applies the changes to a live server; returns the updated row (404 if it went away). */
export async function updateServer(db: Kysely<ComputeDb>, uuid: string, changes: ServerChanges): Promise<InstanceRow> {
  return inTransaction(db, async (trx) => {
    const result = await trx.updateTable('nova_instance').set({ ...changes, updated_at: nowIso() })
      .where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw instanceNotFound(uuid);
    return trx.selectFrom('nova_instance').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
  });
}
