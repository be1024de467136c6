// GET /v2.0/ports and /v2.0/ports/<id>. A list costs one port query (pre-filtered in SQL by
// visibility and by the cheap equality filters the client gave) plus one query per child table,
// each scoped by the same port query as a subquery — never an N+1, never a 500-item IN list.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { parseRule, renderRule, type Enforcer } from '../../../core/policy/index.js';
import type { NetworkDeps } from '../../api/deps.js';
import { queryValues, type Item, type Query } from '../../api/list.js';
import type { NetworkDb, PortRow } from '../../db/schema.js';
import { NEUTRON_BASE_RULES } from '../../policy/base-rules.js';
import { NEUTRON_PORT_RULES } from '../../policy/port-rules.js';
import type { Caller } from '../caller.js';
import { allowed } from '../policy.js';
import { hiddenAttrs, loadPortFor, portTarget } from './access.js';
import { loadPortChildren, type PortScope } from './children.js';
import { renderPort } from './render.js';

/** Client filters on plain string columns that SQL can apply before rendering. */
const PUSHDOWN: Readonly<Record<string, 'id' | 'network_id' | 'device_id' | 'device_owner' | 'mac_address' | 'name' | 'status' | 'project_id'>> = {
  id: 'id', network_id: 'network_id', device_id: 'device_id', device_owner: 'device_owner', mac_address: 'mac_address',
  name: 'name', status: 'status', project_id: 'project_id', tenant_id: 'project_id',
};

/** The rules the SQL visibility filter reproduces; if any is overridden, policy decides per port. */
const VISIBILITY_RULES: Readonly<Record<string, string>> = {
  get_port: NEUTRON_PORT_RULES.get_port!.check,
  ...Object.fromEntries(['context_is_admin', 'context_is_advsvc', 'owner', 'admin_or_network_owner', 'admin_owner_or_network_owner']
    .map((name) => [name, NEUTRON_BASE_RULES[name]!.check])),
};
const defaultVisibility = new WeakMap<Enforcer, boolean>();

function visibilityIsDefault(policy: Enforcer): boolean {
  let known = defaultVisibility.get(policy);
  if (known === undefined) {
    known = Object.entries(VISIBILITY_RULES).every(([name, check]) => policy.describe(name) === renderRule(parseRule(name, check)));
    defaultVisibility.set(policy, known);
  }
  return known;
}

type PortQuery = SelectQueryBuilder<NetworkDb, 'net_port', object>;

function applyFilters<Q extends PortQuery>(select: Q, query: Query): { select: Q; filtered: boolean } {
  let filtered = false;
  for (const [key, column] of Object.entries(PUSHDOWN)) {
    const values = queryValues(query, key);
    // Long value lists stay in memory: they would only make the SQL statement huge.
    if (values.length === 0 || values.length > 100) continue;
    select = select.where(`net_port.${column}`, 'in', values) as Q;
    filtered = true;
  }
  return { select, filtered };
}

/** Ports of the caller's project or on the caller's networks: the default get_port rule in SQL. */
function visibleTo<Q extends PortQuery>(db: Kysely<NetworkDb>, select: Q, projectId: string): Q {
  const ownNetworks = db.selectFrom('net_network').select('id').where('project_id', '=', projectId);
  return select.where((eb) => eb.or([eb('net_port.project_id', '=', projectId), eb('net_port.network_id', 'in', ownNetworks)])) as Q;
}

async function networkOwners(db: Kysely<NetworkDb>, rows: readonly PortRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.network_id))];
  if (ids.length === 0) return new Map();
  const nets = await db.selectFrom('net_network').select(['id', 'project_id']).where('id', 'in', ids).execute();
  return new Map(nets.map((n) => [n.id, n.project_id]));
}

export async function listPorts(deps: NetworkDeps, caller: Caller, query: Query): Promise<Item[]> {
  const db = deps.db;
  const seesAll = caller.isAdmin || allowed(deps, caller, 'context_is_advsvc', {});
  const base = db.selectFrom('net_port');
  let { select: scoped, filtered } = applyFilters(base, query);
  if (!seesAll) scoped = visibleTo(db, scoped, caller.projectId);
  let rows = await scoped.selectAll('net_port').execute() as PortRow[];
  if (!visibilityIsDefault(deps.policy)) {
    const owners = await networkOwners(db, rows);
    rows = rows.filter((row) => allowed(deps, caller, 'get_port', portTarget(row, owners.get(row.network_id) ?? '')));
  }
  const scope: PortScope = seesAll && !filtered ? 'all' : scoped.select('net_port.id');
  const children = await loadPortChildren(db, rows.map((r) => r.id), scope);
  const hidden = hiddenAttrs(deps, caller);
  return rows.map((row) => renderPort(row, children.get(row.id)!, hidden));
}

export async function showPort(deps: NetworkDeps, caller: Caller, id: string): Promise<Item> {
  const { row } = await loadPortFor(deps.db, deps, caller, id);
  const children = (await loadPortChildren(deps.db, [id])).get(id)!;
  return renderPort(row, children, hiddenAttrs(deps, caller));
}
