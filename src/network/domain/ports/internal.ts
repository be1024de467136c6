// Ports the system owns — router interfaces and gateways, floating IP ports, DHCP ports — made
// and removed by other modules inside their own transactions, without the port API's policy
// checks (the calling API has done its own). They get no security groups, as Neutron gives
// none to `network:*` device owners.
import type { Kysely } from 'kysely';
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkDb, NetworkRow, PortRow } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import type { FixedIpRequest } from '../ipam/allocate.js';
import { networkNotFound } from '../errors.js';
import { loadPortChildren } from './children.js';
import { insertPort, type PortRecord } from './create-record.js';
import { deletePortRecord } from './delete-record.js';
import { renderPort } from './render.js';

export interface SystemPortSpec {
  /** The owner; '' for floating IP ports, which Neutron gives no project. */
  readonly projectId: string;
  readonly networkId: string;
  /** Pass the row when already loaded, to save a query. */
  readonly network?: NetworkRow;
  readonly deviceOwner: string;
  readonly deviceId: string;
  /** Undefined: IPAM's default; [] no address; else the requested subnets/addresses. */
  readonly fixedIps?: readonly FixedIpRequest[];
  /** System ports never get security groups; accepted for symmetry with the API. */
  readonly securityGroups?: false | 'none';
  readonly adminStateUp?: boolean;
  readonly name?: string;
  readonly description?: string;
  /** Default DOWN; floating IP ports are 'N/A' as in Neutron. */
  readonly status?: string;
  readonly hostId?: string;
  /** IPAM as an admin (default true: the system may use any subnet of the network). */
  readonly isAdmin?: boolean;
}

export interface SystemPort extends PortRecord {
  /** The port as the API renders it (all attributes). */
  readonly port: Record<string, unknown>;
}

export async function createPortInTx(trx: NetworkTx, deps: NetworkDeps, spec: SystemPortSpec): Promise<SystemPort> {
  const network = spec.network ?? await trx.selectFrom('net_network').selectAll().where('id', '=', spec.networkId).executeTakeFirst();
  if (network === undefined) throw networkNotFound(spec.networkId);
  const record = await insertPort(trx, deps, {
    projectId: spec.projectId,
    network,
    name: spec.name ?? '',
    description: spec.description ?? '',
    adminStateUp: spec.adminStateUp ?? true,
    deviceId: spec.deviceId,
    deviceOwner: spec.deviceOwner,
    fixedIps: spec.fixedIps,
    portSecurity: network.port_security_enabled === 1,
    securityGroups: [],
    status: spec.status ?? (spec.deviceOwner === 'network:floatingip' ? 'N/A' : 'DOWN'),
    ...(spec.hostId !== undefined ? { hostId: spec.hostId } : {}),
    isAdmin: spec.isAdmin ?? true,
  });
  return { ...record, port: renderPort(record.row, record.children) };
}

/** Deletes a port and its dependents; the deleted row, or undefined if it was already gone. */
export async function deletePortInTx(trx: NetworkTx, deps: NetworkDeps, portId: string): Promise<PortRow | undefined> {
  void deps;
  return deletePortRecord(trx, portId);
}

/** Ports rendered with every attribute (a system view), in the order of `ids`; missing ids are skipped. */
export async function loadPortsRendered(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('net_port').selectAll().where('id', 'in', [...ids]).execute();
  const children = await loadPortChildren(db, rows.map((r) => r.id));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    const c = children.get(id);
    if (row !== undefined && c !== undefined) out.push(renderPort(row, c));
  }
  return out;
}
