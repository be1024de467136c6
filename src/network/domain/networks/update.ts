// PUT /v2.0/networks/<id>: plain attributes, the sharing flags (wildcard RBAC grants, refused
// while other projects still depend on them) and the MTU (bounded by the segments' MTU).
import type { NetworkDeps } from '../../api/deps.js';
import { parseUpdate } from '../../api/attributes.js';
import type { NetworkRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { invalidInput, networkNotFound } from '../errors.js';
import { notify } from '../notify.js';
import { allowed, enforce, enforceAttributes } from '../policy.js';
import { bumped, checkRevision } from '../standard-attrs.js';
import { EXTERNAL, SHARED, canSeeNetwork, findNetwork, loadSegments, networkVisibility } from './access.js';
import { NETWORK_ATTRS, PROVIDER_ATTRS } from './attributes.js';
import { qosPolicyNotFound } from './create.js';
import { renderNetworks } from './render.js';
import { assertCanBeDefault, assertNotExternalInUse, assertSharedRemovable, deleteGrant, hasGrant, insertGrant } from './sharing.js';

/** The network for a caller about to change or delete it: 404 if unseen, 403 if not theirs. */
export async function networkForChange(deps: NetworkDeps, caller: Caller, id: string, action: string): Promise<{ row: NetworkRow; target: Record<string, unknown> }> {
  const row = await findNetwork(deps.db, id);
  if (row === undefined) throw networkNotFound(id);
  const vis = await networkVisibility(deps.db, caller);
  if (!canSeeNetwork(vis, row)) throw networkNotFound(id);
  const target = {
    ...row, project_id: row.project_id, tenant_id: row.project_id, shared: vis.sharedIds.has(row.id), 'router:external': row.is_external === 1,
  };
  if (!allowed(deps, caller, 'get_network', target)) throw networkNotFound(id);
  enforce(deps, caller, action, target);
  return { row, target };
}

export async function updateNetwork(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined): Promise<Record<string, unknown>> {
  const attrs = parseUpdate(body, NETWORK_ATTRS);
  const { target } = await networkForChange(deps, caller, id, 'update_network');
  enforceAttributes(deps, caller, 'update_network', Object.keys(attrs), { ...target, ...attrs });
  if (PROVIDER_ATTRS.some((a) => a in attrs) || 'segments' in attrs) {
    throw invalidInput('Plugin does not support updating provider attributes');
  }
  if (attrs.qos_policy_id !== undefined && attrs.qos_policy_id !== null) throw qosPolicyNotFound(attrs.qos_policy_id as string);

  const updated = await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_network').selectAll().where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw networkNotFound(id);
    checkRevision(ifMatch, current.revision_number);
    const changes: Partial<NetworkRow> = {};
    if (typeof attrs.name === 'string') changes.name = attrs.name;
    if (typeof attrs.description === 'string') changes.description = attrs.description;
    if (typeof attrs.admin_state_up === 'boolean') changes.admin_state_up = attrs.admin_state_up ? 1 : 0;
    if (typeof attrs.port_security_enabled === 'boolean') changes.port_security_enabled = attrs.port_security_enabled ? 1 : 0;
    if (typeof attrs.dns_domain === 'string') changes.dns_domain = attrs.dns_domain;
    if (typeof attrs.mtu === 'number') {
      const maxMtu = deps.ml2.networkMtu(await loadSegments(trx, id));
      if (attrs.mtu > maxMtu) throw invalidInput(`Requested MTU is too big, maximum is ${maxMtu}`);
      changes.mtu = attrs.mtu;
    }
    if (typeof attrs.shared === 'boolean') {
      const has = await hasGrant(trx, id, SHARED);
      if (attrs.shared && !has) await insertGrant(trx, current.project_id, id, SHARED);
      if (!attrs.shared && has) {
        await assertSharedRemovable(trx, id, current.project_id, '*');
        await deleteGrant(trx, id, SHARED);
      }
    }
    if (typeof attrs['router:external'] === 'boolean') {
      const external = attrs['router:external'];
      if (external && current.is_external === 0) {
        changes.is_external = 1;
        if (!(await hasGrant(trx, id, EXTERNAL))) await insertGrant(trx, current.project_id, id, EXTERNAL);
      } else if (!external && current.is_external === 1) {
        await assertNotExternalInUse(trx, id);
        changes.is_external = 0;
        changes.is_default = 0;
        // Neutron drops every access_as_external grant with the flag.
        await trx.deleteFrom('net_rbac_policy').where('object_type', '=', 'network').where('object_id', '=', id).where('action', '=', EXTERNAL).execute();
      }
    }
    // is_default lives on the external-net record: ignored on a network that is not external.
    if (typeof attrs.is_default === 'boolean' && (changes.is_external ?? current.is_external) === 1) {
      if (attrs.is_default) await assertCanBeDefault(trx, id);
      changes.is_default = attrs.is_default ? 1 : 0;
    }
    const next = { ...current, ...changes, ...bumped(current) };
    await trx.updateTable('net_network').set({ ...changes, ...bumped(current) }).where('id', '=', id).execute();
    await deps.ml2.precommit(trx, { resource: 'network', event: 'update', current: next, original: current });
    return next;
  });
  const [item] = await renderNetworks(deps, caller, [updated]);
  notify(deps, 'network.update.end', { network: item });
  void deps.ml2.postcommit({ resource: 'network', event: 'update', current: item! });
  return item!;
}
