// POST /v2.0/subnets: Neutron's create_subnet. Request-shape checks first (cidr vs prefixlen vs
// subnet pool), then in one transaction: quota, a lock on the network (so two racing subnets
// cannot both pass the overlap check), the CIDR from a pool if asked, every IPAM validation,
// the rows, and SLAAC addresses for the ports already on the network.
import { randomUUID } from 'node:crypto';
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate } from '../../api/attributes.js';
import type { SubnetPoolRow, SubnetRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { bumpNetworkRevision } from '../networks/revision.js';
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { validateSubnetRequest } from '../../ipam/subnet-request.js';
import type { Caller } from '../caller.js';
import { ipam } from '../errors.js';
import { loadNetworkForUse, isNetworkShared } from '../networks/access.js';
import { notify } from '../notify.js';
import { enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { newStandard } from '../standard-attrs.js';
import { nextCreatedSeq } from '../ipam/ipam-subnets.js';
import { addAutoAddressesToPorts } from './auto-address-ports.js';
import { poolAffinityError, subnetsBadRequest } from './pool-errors.js';
import { allocateFromPool } from './subnet-from-pool.js';
import { subnetTarget } from './subnet-access.js';
import { SUBNET_ATTRS } from './subnet-attrs.js';
import { renderSubnet } from './subnet-render.js';
import { writeDns, writePools, writeRoutes, writeServiceTypes } from './subnet-children-write.js';
import { defaultPool, loadVisiblePool } from './subnetpool-access.js';
import { checkSegment } from './segment-check.js';

type Attrs = Record<string, unknown>;

/** Neutron's _get_subnetpool_id and the cidr/prefixlen rules of _create_subnet_precommit. */
async function resolvePool(trx: NetworkTx, deps: NetworkDeps, caller: Caller, a: Attrs): Promise<SubnetPoolRow | undefined> {
  const hasCidr = a.cidr !== undefined;
  if (hasCidr && a.prefixlen !== undefined) throw subnetsBadRequest('cidr and prefixlen must not be supplied together');
  const poolId = a.subnetpool_id as string | null | undefined;
  if (a.use_default_subnetpool === true && poolId) throw subnetsBadRequest('subnetpool_id and use_default_subnetpool cannot both be specified');
  let pool: SubnetPoolRow | undefined;
  if (poolId) pool = await loadVisiblePool(trx, deps, caller, poolId);
  else if (a.use_default_subnetpool === true) pool = await defaultPool(trx, deps, caller, a.ip_version as number);
  if (pool === undefined) {
    if (!hasCidr) throw subnetsBadRequest('a subnetpool must be specified in the absence of a cidr');
    return undefined;
  }
  if (!hasCidr && a.allocation_pools !== undefined) throw subnetsBadRequest('allocation_pools allowed only for specific subnet requests');
  if (pool.ip_version !== a.ip_version) {
    throw subnetsBadRequest(`Cannot allocate IPv${String(a.ip_version)} subnet from IPv${pool.ip_version} subnet pool`);
  }
  return pool;
}

export async function createSubnet(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { attrs: a, given } = parseCreate(body, SUBNET_ATTRS, caller);
  const projectId = a.project_id as string;
  const network = await loadNetworkForUse(deps.db, caller, a.network_id as string);
  const shared = !caller.isAdmin && network.project_id !== caller.projectId && await isNetworkShared(deps.db, network.id, caller.projectId);
  const target = subnetTarget({ ...a, project_id: projectId } as SubnetRow, network.project_id, shared);
  enforce(deps, caller, 'create_subnet', target);
  enforceAttributes(deps, caller, 'create_subnet', given, target);
  const limits = { maxDnsNameservers: deps.config.network.maxDnsNameservers, maxHostRoutes: deps.config.network.maxHostRoutes };

  const created = await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, projectId, 'subnet');
    // Locks the network row (siblings' CIDRs) and revises it: a new subnet changes the network.
    await bumpNetworkRevision(trx, network.id);
    const pool = await resolvePool(trx, deps, caller, a);
    const siblings = await trx.selectFrom('net_subnet').select(['cidr', 'ip_version', 'subnetpool_id']).where('network_id', '=', network.id).execute();
    if (siblings.some((s) => s.ip_version === a.ip_version && s.subnetpool_id !== (pool?.id ?? null))) throw poolAffinityError();
    const cidr = pool === undefined ? a.cidr as string
      : await allocateFromPool(trx, { pool, projectId, ...(a.cidr !== undefined ? { cidr: a.cidr as string } : {}), ...(a.prefixlen !== undefined ? { prefixlen: a.prefixlen as number } : {}) });
    const valid = ipam(() => validateSubnetRequest({
      networkId: network.id, ipVersion: a.ip_version as 4 | 6, cidr,
      ...(a.gateway_ip !== undefined ? { gatewayIp: a.gateway_ip as string | null } : {}),
      enableDhcp: a.enable_dhcp as boolean,
      ...(a.allocation_pools !== undefined ? { allocationPools: a.allocation_pools as { start: string; end: string }[] } : {}),
      dnsNameservers: (a.dns_nameservers as string[] | undefined) ?? [],
      hostRoutes: (a.host_routes as { destination: string; nexthop: string }[] | undefined) ?? [],
      ipv6RaMode: (a.ipv6_ra_mode as string | null | undefined) ?? null,
      ipv6AddressMode: (a.ipv6_address_mode as string | null | undefined) ?? null,
    }, siblings.map((s) => tryParseCidrLoose(s.cidr)?.cidr).filter((c) => c !== undefined), limits));
    const segmentId = (a.segment_id as string | null | undefined) ?? null;
    if (segmentId !== null) await checkSegment(trx, network.id, segmentId);
    const row: SubnetRow = {
      id: randomUUID(), project_id: projectId, network_id: network.id, name: a.name as string, ip_version: a.ip_version as number,
      cidr: valid.cidr, gateway_ip: valid.gatewayIp, enable_dhcp: a.enable_dhcp ? 1 : 0,
      ipv6_ra_mode: (a.ipv6_ra_mode as string | null | undefined) ?? null, ipv6_address_mode: (a.ipv6_address_mode as string | null | undefined) ?? null,
      subnetpool_id: pool?.id ?? null, segment_id: segmentId, dns_publish_fixed_ip: a.dns_publish_fixed_ip ? 1 : 0,
      created_seq: nextCreatedSeq(), ...newStandard(a.description),
    };
    await trx.insertInto('net_subnet').values(row).execute();
    const serviceTypes = (a.service_types as string[] | undefined) ?? [];
    await writePools(trx, row.id, valid.allocationPools);
    await writeDns(trx, row.id, valid.dnsNameservers);
    await writeRoutes(trx, row.id, valid.hostRoutes);
    await writeServiceTypes(trx, row.id, serviceTypes);
    await addAutoAddressesToPorts(trx, row, serviceTypes);
    return { row, children: { pools: [...valid.allocationPools], dns: [...valid.dnsNameservers], routes: [...valid.hostRoutes], serviceTypes: [...serviceTypes].sort(), tags: [] } };
  });
  const subnet = renderSubnet(created.row, created.children, { showSegment: deps.policy.authorize('get_subnet:segment_id', target, caller.creds) });
  notify(deps, 'subnet.create.end', { subnet });
  return subnet;
}
