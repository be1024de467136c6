// PUT /v2.0/ports/<id>: policy on the merged (new) values as Neutron does, port-security
// consistency, MAC changes only while unbound, fixed IP changes through IPAM, extra DHCP options
// merged (opt_value null removes one), and a re-bind when the binding host changes.
import type { NetworkDeps } from '../../api/deps.js';
import { parseUpdate } from '../../api/attributes.js';
import type { PortRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { enforceAttributes } from '../policy.js';
import { isNetworkShared, loadSegments } from '../networks/access.js';
import { notify } from '../notify.js';
import { bumped, checkRevision } from '../standard-attrs.js';
import { validatePortSecurityGroups } from '../security-groups/default-group.js';
import { updatePortIps, type FixedIpRequest } from '../ipam/allocate.js';
import { hiddenAttrs, loadPortFor, portTarget } from './access.js';
import { portAttrMap } from './attr-map.js';
import { loadPortChildren } from './children.js';
import { uniquePairs, type AddressPair } from './create-record.js';
import { addressPairNeedsPortSecurity, groupsNeedPortSecurity, portBound, portHasSecurityGroup } from './errors.js';
import { assertMacFree } from './mac.js';
import { policedAttributes } from './policy-attrs.js';
import { renderPort } from './render.js';
import type { DhcpOptRequest } from './validate.js';

type Changes = Record<string, unknown>;

const SIMPLE_COLUMNS: Readonly<Record<string, keyof PortRow>> = {
  name: 'name', description: 'description', device_id: 'device_id', device_owner: 'device_owner', dns_name: 'dns_name',
};
const BOOLEAN_COLUMNS: Readonly<Record<string, keyof PortRow>> = {
  admin_state_up: 'admin_state_up', port_security_enabled: 'port_security_enabled', propagate_uplink_status: 'propagate_uplink_status',
};

async function checkPortSecurity(trx: NetworkTx, row: PortRow, changes: Changes): Promise<void> {
  const enabled = changes.port_security_enabled !== undefined ? changes.port_security_enabled === true : row.port_security_enabled === 1;
  if (enabled) return;
  const pairs = changes.allowed_address_pairs as AddressPair[] | undefined;
  if (pairs !== undefined && pairs.length > 0) throw addressPairNeedsPortSecurity();
  if (pairs === undefined) {
    const existing = await trx.selectFrom('net_port_address_pair').select('ip_address').where('port_id', '=', row.id).executeTakeFirst();
    if (existing !== undefined) throw addressPairNeedsPortSecurity();
  }
  const groups = changes.security_groups as string[] | undefined;
  if (groups !== undefined && groups.length > 0) throw groupsNeedPortSecurity();
  if (groups === undefined) {
    const existing = await trx.selectFrom('net_port_security_group').select('security_group_id').where('port_id', '=', row.id).executeTakeFirst();
    if (existing !== undefined) throw portHasSecurityGroup();
  }
}

async function mergeDhcpOpts(trx: NetworkTx, portId: string, opts: readonly DhcpOptRequest[]): Promise<void> {
  for (const opt of opts) {
    await trx.deleteFrom('net_port_dhcp_option').where('port_id', '=', portId).where('opt_name', '=', opt.opt_name).where('ip_version', '=', opt.ip_version).execute();
    if (opt.opt_value !== null) await trx.insertInto('net_port_dhcp_option').values({ port_id: portId, opt_name: opt.opt_name, opt_value: opt.opt_value, ip_version: opt.ip_version }).execute();
  }
}

export async function updatePort(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined): Promise<Record<string, unknown>> {
  const changes = parseUpdate(body, portAttrMap(deps.config));
  const row = await inTransaction(deps.db, async (trx) => {
    const { row: current, networkProjectId } = await loadPortFor(trx, deps, caller, id, 'update_port');
    const merged: PortRow = { ...current };
    for (const [key, column] of Object.entries(SIMPLE_COLUMNS)) if (changes[key] !== undefined) (merged as unknown as Record<string, unknown>)[column] = changes[key];
    for (const [key, column] of Object.entries(BOOLEAN_COLUMNS)) if (changes[key] !== undefined) (merged as unknown as Record<string, unknown>)[column] = changes[key] === true ? 1 : 0;
    const needsShared = changes.fixed_ips !== undefined && !caller.isAdmin && networkProjectId !== caller.projectId;
    const shared = needsShared ? await isNetworkShared(trx, current.network_id, caller.projectId) : false;
    enforceAttributes(deps, caller, 'update_port', policedAttributes(changes, Object.keys(changes), false), portTarget(merged, networkProjectId, shared));
    checkRevision(ifMatch, current.revision_number);
    await checkPortSecurity(trx, current, changes);

    if (typeof changes.mac_address === 'string' && changes.mac_address !== current.mac_address) {
      if (!['unbound', 'binding_failed'].includes(current.binding_vif_type)) throw portBound(id, current.binding_vif_type, current.mac_address, changes.mac_address);
      await assertMacFree(trx, current.network_id, changes.mac_address, id);
      merged.mac_address = changes.mac_address;
    }
    if (changes['binding:vnic_type'] !== undefined) merged.binding_vnic_type = changes['binding:vnic_type'] as string;
    if (changes['binding:profile'] !== undefined) merged.binding_profile = JSON.stringify(changes['binding:profile']);
    if (changes['binding:host_id'] !== undefined && changes['binding:host_id'] !== current.binding_host_id) {
      merged.binding_host_id = changes['binding:host_id'] as string;
      if (merged.binding_host_id === '') {
        merged.binding_vif_type = 'unbound';
        merged.binding_vif_details = '{}';
      } else {
        const binding = await deps.ml2.bindPort(trx, merged, await loadSegments(trx, current.network_id));
        merged.binding_vif_type = binding.vifType;
        merged.binding_vif_details = JSON.stringify(binding.vifDetails);
      }
    }

    if (changes.fixed_ips !== undefined) {
      const network = await trx.selectFrom('net_network').selectAll().where('id', '=', current.network_id).executeTakeFirstOrThrow();
      await updatePortIps(trx, {
        network, portId: id, mac: merged.mac_address, requested: changes.fixed_ips as FixedIpRequest[],
        deviceOwner: merged.device_owner, isAdmin: caller.isAdmin,
      });
    }
    if (changes.security_groups !== undefined) {
      const groups = await validatePortSecurityGroups(trx, caller, changes.security_groups as string[], current.project_id);
      await trx.deleteFrom('net_port_security_group').where('port_id', '=', id).execute();
      if (groups.length > 0) await trx.insertInto('net_port_security_group').values(groups.map((g) => ({ port_id: id, security_group_id: g }))).execute();
    }
    if (changes.allowed_address_pairs !== undefined) {
      const pairs = uniquePairs((changes.allowed_address_pairs as AddressPair[]).map((p) => ({ port_id: id, ip_address: p.ip_address, mac_address: p.mac_address ?? merged.mac_address })));
      await trx.deleteFrom('net_port_address_pair').where('port_id', '=', id).execute();
      if (pairs.length > 0) await trx.insertInto('net_port_address_pair').values(pairs).execute();
    }
    if (changes.extra_dhcp_opts !== undefined) await mergeDhcpOpts(trx, id, changes.extra_dhcp_opts as DhcpOptRequest[]);

    const next: PortRow = { ...merged, ...bumped(current) };
    const { id: _id, ...columns } = next;
    void _id;
    await trx.updateTable('net_port').set(columns).where('id', '=', id).execute();
    return next;
  });
  const children = (await loadPortChildren(deps.db, [id])).get(id)!;
  notify(deps, 'port.update.end', { port: renderPort(row, children) });
  return renderPort(row, children, hiddenAttrs(deps, caller));
}
