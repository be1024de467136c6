import { invalidInput } from './errors.js';
import { formatCidr, parseSubnetCidr } from './cidr.js';
import type { Cidr } from './cidr.js';
import { formatIp } from './ip-address.js';
import type { IpVersion } from './ip-address.js';
import { defaultAllocationPools, parsePool, poolToInput, validateAllocationPools, validateGatewayOutOfPools } from './allocation-pools.js';
import type { AllocationPoolInput } from './allocation-pools.js';
import { validateDnsNameservers } from './dns-nameservers.js';
import { resolveGateway } from './gateway.js';
import { validateHostRoutes } from './host-routes.js';
import type { HostRoute } from './host-routes.js';
import { validateIpv6Modes } from './ipv6-modes.js';
import { validateDhcpCidr, validateSubnetCidrOverlap } from './subnet-cidr.js';

export interface SubnetRequest {
  readonly networkId: string;
  readonly ipVersion: IpVersion;
  readonly cidr: string;
  /** undefined: network + 1; null: no gateway. */
  readonly gatewayIp?: string | null;
  readonly enableDhcp?: boolean;
  readonly allocationPools?: readonly AllocationPoolInput[];
  readonly dnsNameservers?: readonly string[];
  readonly hostRoutes?: readonly HostRoute[];
  readonly ipv6RaMode?: string | null;
  readonly ipv6AddressMode?: string | null;
}

export interface SubnetLimits {
  readonly maxDnsNameservers?: number;
  readonly maxHostRoutes?: number;
  readonly requireGatewayOnSubnet?: boolean;
}

export interface ValidSubnet {
  readonly cidr: string;
  readonly gatewayIp: string | null;
  readonly allocationPools: readonly AllocationPoolInput[];
  readonly dnsNameservers: readonly string[];
  readonly hostRoutes: readonly HostRoute[];
}

/**
 * Every check Neutron makes when a subnet is created, in Neutron's order, and
 * the canonical subnet to store. `siblings` are the CIDRs of the network's
 * other subnets (read in the same transaction as the insert).
 */
export function validateSubnetRequest(
  req: SubnetRequest,
  siblings: readonly Cidr[],
  limits: SubnetLimits = {},
): ValidSubnet {
  const cidr = parseSubnetCidr(req.cidr);
  if (cidr.version !== req.ipVersion) {
    throw invalidInput(`cidr '${req.cidr}' does not match the ip_version '${req.ipVersion}'`);
  }
  const enableDhcp = req.enableDhcp ?? true;
  validateDhcpCidr(cidr, enableDhcp);
  const requireOnSubnet = limits.requireGatewayOnSubnet ?? true;
  const gateway = resolveGateway(cidr, req.gatewayIp, { requireOnSubnet });
  const dns = validateDnsNameservers(req.dnsNameservers ?? [], cidr.version, { max: limits.maxDnsNameservers ?? 5 });
  const routes = validateHostRoutes(req.hostRoutes ?? [], cidr.version, { max: limits.maxHostRoutes ?? 20 });
  validateIpv6Modes({
    ipVersion: req.ipVersion,
    cidr,
    enableDhcp,
    ipv6RaMode: req.ipv6RaMode ?? null,
    ipv6AddressMode: req.ipv6AddressMode ?? null,
  });
  validateSubnetCidrOverlap(cidr, req.networkId, siblings);
  const pools = req.allocationPools ? req.allocationPools.map(parsePool) : defaultAllocationPools(cidr, gateway);
  if (req.allocationPools) {
    validateAllocationPools(pools, cidr);
    if (gateway) validateGatewayOutOfPools(gateway, pools);
  }
  return {
    cidr: formatCidr(cidr),
    gatewayIp: gateway ? formatIp(gateway) : null,
    allocationPools: pools.map(poolToInput),
    dnsNameservers: dns,
    hostRoutes: routes,
  };
}
