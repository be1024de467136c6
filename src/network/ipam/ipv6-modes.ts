import { invalidAttribute, invalidInput } from './errors.js';
import { formatCidr } from './cidr.js';
import type { Cidr } from './cidr.js';

export const IPV6_MODES = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'] as const;
export type Ipv6Mode = (typeof IPV6_MODES)[number];

export interface Ipv6ModeRequest {
  readonly ipVersion: 4 | 6;
  readonly cidr: Cidr;
  readonly enableDhcp: boolean;
  readonly ipv6RaMode?: string | null;
  readonly ipv6AddressMode?: string | null;
}

function checkMode(attr: string, value: string | null | undefined): Ipv6Mode | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(IPV6_MODES as readonly string[]).includes(value)) {
    throw invalidAttribute(attr, `'${value}' is not in [${IPV6_MODES.map((m) => `'${m}'`).join(', ')}]`);
  }
  return value as Ipv6Mode;
}

/**
 * SLAAC and DHCPv6-stateless subnets hand out EUI-64 addresses the port
 * computes itself (Neutron's `is_auto_address_subnet`).
 */
export function isAutoAddressMode(addressMode: string | null | undefined, raMode?: string | null): boolean {
  const auto = (m: string | null | undefined): boolean => m === 'slaac' || m === 'dhcpv6-stateless';
  return auto(addressMode) || (addressMode == null && auto(raMode));
}

/**
 * Neutron's ipv6_ra_mode / ipv6_address_mode rules: IPv4 takes neither; both
 * need DHCP enabled; when both are set they must match; either alone is fine;
 * auto-address subnets must be /64 (EUI-64).
 */
export function validateIpv6Modes(req: Ipv6ModeRequest): void {
  const ra = checkMode('ipv6_ra_mode', req.ipv6RaMode);
  const addr = checkMode('ipv6_address_mode', req.ipv6AddressMode);
  if (req.ipVersion === 4) {
    if (ra) throw invalidInput('ipv6_ra_mode is not valid when ip_version is 4');
    if (addr) throw invalidInput('ipv6_address_mode is not valid when ip_version is 4');
    return;
  }
  if ((ra || addr) && !req.enableDhcp) {
    throw invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
  }
  if (ra && addr && ra !== addr) {
    throw invalidInput(
      `ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${addr}' is not valid. ` +
        'If both attributes are set, they must be the same value',
    );
  }
  if (isAutoAddressMode(addr, ra) && req.cidr.prefixlen !== 64) {
    throw invalidInput(
      `Invalid CIDR ${formatCidr(req.cidr)} for IPv6 address mode. ` +
        'OpenStack uses the EUI-64 address format, which requires the prefix to be /64',
    );
  }
}
