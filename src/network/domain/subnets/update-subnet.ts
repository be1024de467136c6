// PUT /v2.0/subnets/{id}: Neutron's update_subnet. cidr, ip_version, network and the IPv6 modes
// are fixed; the rest is re-validated against the stored subnet (DHCP turned on, a moved
// gateway still outside the pools and not held by a router, pools inside the CIDR).
import { ApiError } from '../../../core/errors.js';
import type { NetworkDeps } from '../../api/deps.js';
import { parseUpdate } from '../../api/attributes.js';
import type { SubnetRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { bumpNetworkRevision } from '../networks/revision.js';
import { parsePool, validateAllocationPools, validateGatewayOutOfPools, poolToInput } from '../../ipam/allocation-pools.js';
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { validateDnsNameservers } from '../../ipam/dns-nameservers.js';
import { resolveGateway } from '../../ipam/gateway.js';
import { validateHostRoutes } from '../../ipam/host-routes.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import { validateDhcpCidr } from '../../ipam/subnet-cidr.js';
import type { Caller } from '../caller.js';
import { invalidInput, ipam } from '../errors.js';
import { ROUTER_INTERFACE_OWNERS } from '../ipam/owners.js';
import { notify } from '../notify.js';
import { enforce, enforceAttributes } from '../policy.js';
import { bumped, checkRevision } from '../standard-attrs.js';
import { checkSegment } from './segment-check.js';
import { loadVisibleSubnet, subnetTarget } from './subnet-access.js';
import { SUBNET_ATTRS } from './subnet-attrs.js';
import { writeDns, writePools, writeRoutes, writeServiceTypes } from './subnet-children-write.js';
import { loadSubnetChildren, renderSubnet } from './subnet-render.js';

type Pools = { start: string; end: string }[];

export async function updateSubnet(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined): Promise<Record<string, unknown>> {
  const { row: visible, network, shared } = await loadVisibleSubnet(deps, caller, id);
  const u = parseUpdate(body, SUBNET_ATTRS);
  const target = subnetTarget(visible, network.project_id, shared);
  enforce(deps, caller, 'update_subnet', target);
  enforceAttributes(deps, caller, 'update_subnet', Object.keys(u), target);
  const cfg = deps.config.network;

  const row = await inTransaction(deps.db, async (trx) => {
    const cur = await trx.selectFrom('net_subnet').selectAll().where('id', '=', id).executeTakeFirst();
    if (cur === undefined) throw new ApiError(404, `Subnet ${id} could not be found.`, 'SubnetNotFound');
    checkRevision(ifMatch, cur.revision_number);
    const cidr = tryParseCidrLoose(cur.cidr)!.cidr;
    const version = cidr.version;
    const changes: Partial<SubnetRow> = {};
    if (u.name !== undefined) changes.name = u.name as string;
    if (u.description !== undefined) changes.description = u.description as string;
    if (u.dns_publish_fixed_ip !== undefined) changes.dns_publish_fixed_ip = u.dns_publish_fixed_ip ? 1 : 0;
    if (u.enable_dhcp !== undefined) {
      if (u.enable_dhcp === true && cur.enable_dhcp === 0) ipam(() => validateDhcpCidr(cidr, true));
      if (u.enable_dhcp === false && version === 6 && (cur.ipv6_ra_mode !== null || cur.ipv6_address_mode !== null)) {
        throw invalidInput('Cannot disable enable_dhcp with ipv6 attributes set');
      }
      changes.enable_dhcp = u.enable_dhcp ? 1 : 0;
    }
    let gateway = cur.gateway_ip;
    if (u.gateway_ip !== undefined) {
      const gw = ipam(() => resolveGateway(cidr, u.gateway_ip as string | null));
      gateway = gw === null ? null : formatIp(gw);
      if (cur.gateway_ip !== null && gateway !== cur.gateway_ip) {
        const holder = await trx.selectFrom('net_ip_allocation').innerJoin('net_port', 'net_port.id', 'net_ip_allocation.port_id')
          .select('net_port.id').where('net_ip_allocation.subnet_id', '=', id).where('net_ip_allocation.ip_address', '=', cur.gateway_ip)
          .where('net_port.device_owner', 'in', [...ROUTER_INTERFACE_OWNERS]).executeTakeFirst();
        if (holder !== undefined) {
          throw new ApiError(409, `Current gateway ip ${cur.gateway_ip} already in use by port ${holder.id}. Unable to update.`, 'GatewayIpInUse');
        }
      }
      changes.gateway_ip = gateway;
    }
    let pools: Pools | undefined;
    const storedPools = (await trx.selectFrom('net_subnet_pool_range').selectAll().where('subnet_id', '=', id).execute())
      .sort((a, b) => a.position - b.position).map((p) => ({ start: p.first_ip, end: p.last_ip }));
    if (u.allocation_pools !== undefined) {
      const ranges = ipam(() => (u.allocation_pools as Pools).map(parsePool));
      ipam(() => validateAllocationPools(ranges, cidr));
      pools = ranges.map(poolToInput);
    }
    if (gateway !== null && (pools !== undefined || gateway !== cur.gateway_ip)) {
      const ranges = ipam(() => (pools ?? storedPools).map(parsePool));
      const gw = tryParseIp(gateway)!;
      ipam(() => validateGatewayOutOfPools(gw, ranges));
    }
    const dns = u.dns_nameservers === undefined ? undefined
      : ipam(() => validateDnsNameservers(u.dns_nameservers as string[], version, { max: cfg.maxDnsNameservers, subnetId: id }));
    const routes = u.host_routes === undefined ? undefined
      : ipam(() => validateHostRoutes(u.host_routes as { destination: string; nexthop: string }[], version, { max: cfg.maxHostRoutes, subnetId: id }));
    if (u.segment_id !== undefined && u.segment_id !== cur.segment_id) {
      if (cur.segment_id !== null) {
        throw new ApiError(400, 'A subnet that is already associated with a segment cannot change its segment association.', 'SubnetSegmentAssociationChangeNotAllowed');
      }
      if (u.segment_id !== null) await checkSegment(trx, cur.network_id, u.segment_id as string);
      changes.segment_id = u.segment_id as string | null;
    }
    if (pools !== undefined) await writePools(trx, id, pools, true);
    if (dns !== undefined) await writeDns(trx, id, dns, true);
    if (routes !== undefined) await writeRoutes(trx, id, routes, true);
    if (u.service_types !== undefined) await writeServiceTypes(trx, id, u.service_types as string[], true);
    const next = { ...cur, ...changes, ...bumped(cur) };
    await trx.updateTable('net_subnet').set({ ...changes, ...bumped(cur) }).where('id', '=', id).execute();
    await bumpNetworkRevision(trx, cur.network_id);
    return next;
  });
  const children = await loadSubnetChildren(deps.db, [row.id]);
  const subnet = renderSubnet(row, children.get(row.id), { showSegment: deps.policy.authorize('get_subnet:segment_id', target, caller.creds) });
  notify(deps, 'subnet.update.end', { subnet });
  return subnet;
}
