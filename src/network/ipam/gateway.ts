import { invalidInput } from './errors.js';
import { cidrContains, lastAddress } from './cidr.js';
import type { Cidr } from './cidr.js';
import { tryParseIp } from './ip-address.js';
import type { IpAddress } from './ip-address.js';

/**
 * Resolves a subnet's gateway_ip: omitted means the first host address
 * (network + 1, Neutron's `_gateway_ip_str`), `null` means no gateway.
 *
 * Neutron refuses a gateway equal to the IPv4 network or broadcast address.
 * Current Neutron accepts a gateway outside the CIDR (the old
 * `force_gateway_on_subnet=True` refused it); Nimbus refuses it by default, as
 * its issue requires, with the same message — pass `requireOnSubnet: false`
 * for today's Neutron behaviour.
 */
export function resolveGateway(
  cidr: Cidr,
  gatewayIp: string | null | undefined,
  opts: { readonly requireOnSubnet?: boolean } = {},
): IpAddress | null {
  if (gatewayIp === null) return null;
  if (gatewayIp === undefined) return { version: cidr.version, value: cidr.network + 1n };
  const ip = tryParseIp(gatewayIp);
  if (!ip) throw invalidInput(`'${String(gatewayIp)}' is not a valid IP address`);
  if (ip.version !== cidr.version) {
    throw invalidInput(`gateway_ip '${gatewayIp}' does not match the ip_version '${cidr.version}'`);
  }
  const inside = cidrContains(cidr, ip);
  const special = cidr.version === 4 && (ip.value === cidr.network || ip.value === lastAddress(cidr));
  if ((inside && special) || (!inside && (opts.requireOnSubnet ?? true))) {
    throw invalidInput('Gateway is not valid on subnet');
  }
  return ip;
}
