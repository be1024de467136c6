// POST /v2.0/ports: the API's checks (network usable by the caller, policy per attribute, port
// security rules, quota) and then one transaction that writes the port and its children.
// Query budget: network (+RBAC for non-owners), quota, port insert, IPAM, default group.
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate } from '../../api/attributes.js';
import { inTransaction } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { allowed, enforce, enforceAttributes } from '../policy.js';
import { isNetworkShared, loadNetworkForUse } from '../networks/access.js';
import { notify } from '../notify.js';
import { assertQuota } from '../quota.js';
import { validatePortSecurityGroups } from '../security-groups/default-group.js';
import type { FixedIpRequest } from '../ipam/allocate.js';
import { hiddenAttrs, portTarget } from './access.js';
import { portAttrMap } from './attr-map.js';
import { insertPort, isTrustedOwner, type AddressPair } from './create-record.js';
import { addressPairNeedsPortSecurity, groupsNeedPortSecurity, notAllowedOnNetwork } from './errors.js';
import { policedAttributes } from './policy-attrs.js';
import { renderPort } from './render.js';
import { presentOpts, type DhcpOptRequest } from './validate.js';

export async function createPort(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { attrs, given } = parseCreate(body, portAttrMap(deps.config), caller);
  const projectId = attrs.project_id as string;
  const network = await loadNetworkForUse(deps.db, caller, attrs.network_id as string);
  const deviceOwner = attrs.device_owner as string;

  // Neutron's _validate_network_tenant_ownership: others' networks only when shared with us
  // (an external network merely visible to the caller does not take their ports).
  let shared = false;
  if (!caller.isAdmin && network.project_id !== projectId) {
    shared = await isNetworkShared(deps.db, network.id, caller.projectId);
    if (!shared && !allowed(deps, caller, 'context_is_advsvc', {})) throw notAllowedOnNetwork(projectId);
  }
  const target = portTarget({ id: '', project_id: projectId, network_id: network.id, device_owner: deviceOwner, device_id: attrs.device_id as string }, network.project_id, shared);
  enforce(deps, caller, 'create_port', target);
  enforceAttributes(deps, caller, 'create_port', policedAttributes(attrs, given, true), target);

  const portSecurity = given.has('port_security_enabled') ? attrs.port_security_enabled === true : network.port_security_enabled === 1;
  const pairs = (attrs.allowed_address_pairs as AddressPair[] | undefined) ?? [];
  const groups = attrs.security_groups as string[] | undefined;
  if (!portSecurity && pairs.length > 0) throw addressPairNeedsPortSecurity();
  if (!portSecurity && groups !== undefined && groups.length > 0) throw groupsNeedPortSecurity();
  const trusted = isTrustedOwner(deviceOwner);

  const record = await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, projectId, 'port');
    const securityGroups = groups === undefined || trusted || !portSecurity
      ? 'default' as const
      : await validatePortSecurityGroups(trx, caller, groups, projectId);
    return insertPort(trx, deps, {
      projectId,
      network,
      name: attrs.name as string,
      description: attrs.description as string,
      adminStateUp: attrs.admin_state_up as boolean,
      macAddress: attrs.mac_address as string | undefined,
      deviceId: attrs.device_id as string,
      deviceOwner,
      fixedIps: attrs.fixed_ips as FixedIpRequest[] | undefined,
      portSecurity,
      securityGroups,
      addressPairs: pairs,
      dhcpOpts: presentOpts((attrs.extra_dhcp_opts as DhcpOptRequest[] | undefined) ?? []),
      hostId: attrs['binding:host_id'] as string,
      vnicType: attrs['binding:vnic_type'] as string,
      profile: (attrs['binding:profile'] as Record<string, unknown> | undefined) ?? {},
      dnsName: attrs.dns_name as string,
      propagateUplinkStatus: attrs.propagate_uplink_status as boolean,
      isAdmin: caller.isAdmin,
    });
  });
  const port = renderPort(record.row, record.children, hiddenAttrs(deps, caller));
  notify(deps, 'port.create.end', { port: renderPort(record.row, record.children) });
  return port;
}
