import { invalidInput } from './errors.js';
import { cidrsOverlap, formatCidr, isLoopbackCidr, isMulticastCidr } from './cidr.js';
import type { Cidr } from './cidr.js';

/**
 * Neutron's `_validate_subnet_cidr`: no /0, and no overlap with the other
 * subnets of the same network (with `allow_overlapping_ips`, the default,
 * other networks may reuse the range, so the caller passes only this
 * network's subnets). The message never names the subnet it collides with.
 */
export function validateSubnetCidrOverlap(cidr: Cidr, networkId: string, siblings: readonly Cidr[]): void {
  if (cidr.prefixlen === 0) throw invalidInput('0 is not allowed as CIDR prefix length');
  for (const other of siblings) {
    if (cidrsOverlap(cidr, other)) {
      throw invalidInput(
        `Requested subnet with cidr: ${formatCidr(cidr)} for network: ${networkId} overlaps with another subnet`,
      );
    }
  }
}

/**
 * The DHCP-related CIDR checks of Neutron's `_validate_subnet`. Neutron applies
 * them only when DHCP is enabled (the default): a dnsmasq cannot serve a
 * multicast or loopback range, nor a range with no room for its own port.
 */
export function validateDhcpCidr(cidr: Cidr, enableDhcp: boolean): void {
  if (!enableDhcp) return;
  if ((cidr.version === 4 && cidr.prefixlen > 30) || (cidr.version === 6 && cidr.prefixlen > 126)) {
    throw invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
  }
  if (isMulticastCidr(cidr)) throw invalidInput('Multicast IP subnet is not supported if enable_dhcp is True');
  if (isLoopbackCidr(cidr)) throw invalidInput('Loopback IP subnet is not supported if enable_dhcp is True');
  if (cidr.version === 4 && cidr.network === 0n) {
    throw invalidInput("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.");
  }
}
