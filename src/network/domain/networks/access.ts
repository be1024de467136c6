// Who may see and use a network. Neutron decides with RBAC rows: the owner and admins always,
// anyone targeted by an access_as_shared rule (a project or '*'), and anyone targeted by an
// access_as_external rule (which only grants seeing it and plugging router gateways / floating
// IPs into it). Other modules (subnets, ports, routers) call these before touching a network.
import type { Kysely } from 'kysely';
import type { NetworkDb, NetworkRow, SegmentRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { networkNotFound } from '../errors.js';

export const SHARED = 'access_as_shared';
export const EXTERNAL = 'access_as_external';

/** Ids that can never exist (too long, NUL bytes) must not reach PostgreSQL as a 500. */
export function isPlausibleId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= 36 && !id.includes('\u0000');
}

/** The RBAC grants on networks that reach one project (through its id or the '*' wildcard). */
export interface NetworkVisibility {
  readonly isAdmin: boolean;
  readonly projectId: string;
  /** Networks shared with the caller (access_as_shared to '*' or the caller's project). */
  readonly sharedIds: ReadonlySet<string>;
  /** Networks external to the caller (access_as_external to '*' or the caller's project). */
  readonly externalIds: ReadonlySet<string>;
}

/** One query: every network RBAC grant that reaches the caller's project. */
export async function networkVisibility(db: Kysely<NetworkDb>, caller: Pick<Caller, 'projectId' | 'isAdmin'>): Promise<NetworkVisibility> {
  const targets = caller.projectId === '' ? ['*'] : ['*', caller.projectId];
  const rows = await db.selectFrom('net_rbac_policy').select(['object_id', 'action'])
    .where('object_type', '=', 'network').where('target_project', 'in', targets).execute();
  const sharedIds = new Set<string>();
  const externalIds = new Set<string>();
  for (const row of rows) (row.action === SHARED ? sharedIds : externalIds).add(row.object_id);
  return { isAdmin: caller.isAdmin, projectId: caller.projectId, sharedIds, externalIds };
}

/** May the caller see this network at all (Neutron's model query with RBAC)? */
export function canSeeNetwork(vis: NetworkVisibility, network: Pick<NetworkRow, 'id' | 'project_id'>): boolean {
  return vis.isAdmin || network.project_id === vis.projectId || vis.sharedIds.has(network.id) || vis.externalIds.has(network.id);
}

/** May the caller attach its own things (subnets, ports) to the network: owner, admin or shared. */
export function canUseNetwork(vis: NetworkVisibility, network: Pick<NetworkRow, 'id' | 'project_id'>): boolean {
  return vis.isAdmin || network.project_id === vis.projectId || vis.sharedIds.has(network.id);
}

/** Is the network shared with `projectId` (an access_as_shared rule to it or to '*')? */
export async function isNetworkShared(db: Kysely<NetworkDb>, networkId: string, projectId: string): Promise<boolean> {
  const row = await db.selectFrom('net_rbac_policy').select('id')
    .where('object_type', '=', 'network').where('object_id', '=', networkId).where('action', '=', SHARED)
    .where('target_project', 'in', projectId === '' ? ['*'] : ['*', projectId]).executeTakeFirst();
  return row !== undefined;
}

/** Does any access_as_shared rule with the '*' wildcard exist (the network's `shared` flag)? */
export async function isSharedWithAll(db: Kysely<NetworkDb>, networkId: string): Promise<boolean> {
  return isNetworkShared(db, networkId, '');
}

/** Does an access_as_external rule reach `projectId`? */
export async function isNetworkExternalTo(db: Kysely<NetworkDb>, networkId: string, projectId: string): Promise<boolean> {
  const row = await db.selectFrom('net_rbac_policy').select('id')
    .where('object_type', '=', 'network').where('object_id', '=', networkId).where('action', '=', EXTERNAL)
    .where('target_project', 'in', projectId === '' ? ['*'] : ['*', projectId]).executeTakeFirst();
  return row !== undefined;
}

/** The network row, or undefined when it does not exist. */
export async function findNetwork(db: Kysely<NetworkDb>, networkId: string): Promise<NetworkRow | undefined> {
  if (!isPlausibleId(networkId)) return undefined;
  return db.selectFrom('net_network').selectAll().where('id', '=', networkId).executeTakeFirst();
}

/**
 * The network a caller names in a subnet/port/router request: 404 NetworkNotFound when it does
 * not exist or the caller may not see it (owner, admin, shared to them, or external to them).
 * Whether a merely-external network may take the caller's port is the caller module's check
 * (see canUseNetwork / isNetworkShared).
 */
export async function loadNetworkForUse(db: Kysely<NetworkDb>, caller: Pick<Caller, 'projectId' | 'isAdmin'>, networkId: string): Promise<NetworkRow> {
  const network = await findNetwork(db, networkId);
  if (network === undefined) throw networkNotFound(String(networkId));
  if (caller.isAdmin || network.project_id === caller.projectId) return network;
  const targets = caller.projectId === '' ? ['*'] : ['*', caller.projectId];
  const grant = await db.selectFrom('net_rbac_policy').select('id')
    .where('object_type', '=', 'network').where('object_id', '=', network.id).where('target_project', 'in', targets)
    .executeTakeFirst();
  if (grant === undefined) throw networkNotFound(network.id);
  return network;
}

/** A network's segments in segment_index order. */
export async function loadSegments(db: Kysely<NetworkDb>, networkId: string): Promise<SegmentRow[]> {
  return db.selectFrom('net_segment').selectAll().where('network_id', '=', networkId).orderBy('segment_index').execute();
}

/** Segments of many networks, grouped by network id (one query). */
export async function loadSegmentsByNetwork(db: Kysely<NetworkDb>, networkIds: readonly string[]): Promise<Map<string, SegmentRow[]>> {
  const out = new Map<string, SegmentRow[]>();
  if (networkIds.length === 0) return out;
  const query = db.selectFrom('net_segment').selectAll().orderBy('segment_index');
  const rows = networkIds.length <= 500 ? await query.where('network_id', 'in', networkIds).execute() : await query.execute();
  for (const row of rows) {
    const list = out.get(row.network_id);
    if (list === undefined) out.set(row.network_id, [row]);
    else list.push(row);
  }
  return out;
}
