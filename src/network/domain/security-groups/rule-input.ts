// Validation of a security group rule's attributes, as Neutron's converters and
// _validate_security_group_rule do it, with Neutron's exception types and messages.
import { ApiError } from '../../../core/errors.js';
import { pyStr } from '../../../core/policy/py-str.js';
import { formatCidr, tryParseCidrLoose } from '../../ipam/cidr.js';
import { formatIp } from '../../ipam/ip-address.js';
import {
  PORT_PROTOCOLS, SUPPORTED_PROTOCOLS, canonicalForEthertype, isIcmpProtocol, isIpv6OnlyProtocol, isPortProtocol, protocolNumber,
} from './protocols.js';

const bad = (kind: string, message: string): ApiError => new ApiError(400, message, kind);

/** convert_protocol: a known name (any case), or 0-255 as number or string; 'any'/0 → null. */
export function convertProtocol(value: unknown): string | null {
  const refuse = (): never => {
    throw bad('SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${pyStr(value)} not supported. Only protocol values ${pyStr(SUPPORTED_PROTOCOLS)} and integer representations [0 to 255] are supported.`);
  };
  if (value === null || value === undefined) return null;
  let n: number | undefined;
  if (typeof value === 'number') n = Number.isInteger(value) ? value : refuse();
  else if (typeof value === 'string') {
    if (/^\s*-?\d{1,10}\s*$/.test(value)) n = Number(value);
    else {
      const name = value.toLowerCase();
      if (name === 'any') return null;
      if (!SUPPORTED_PROTOCOLS.includes(name)) refuse();
      return name;
    }
  } else refuse();
  if (n === undefined || n < 0 || n > 255) return refuse();
  return n === 0 ? null : String(n);
}

/** convert_validate_port_value: 0-65535 (ICMP narrows it to 0-255 later). */
export function convertPort(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  let n: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && /^\s*-?\d{1,10}\s*$/.test(value)) n = Number(value);
  if (n === undefined || n < 0 || n > 65535) throw bad('SecurityGroupInvalidPortValue', `Invalid value for port ${pyStr(value)}`);
  return n;
}

/** convert_ethertype_to_case_insensitive + the IPv4/IPv6 check. */
export function convertEthertype(value: unknown): 'IPv4' | 'IPv6' {
  if (typeof value === 'string') {
    if (value.toLowerCase() === 'ipv4') return 'IPv4';
    if (value.toLowerCase() === 'ipv6') return 'IPv6';
  }
  throw bad('HTTPBadRequest', `Invalid input for ethertype. Reason: ${typeof value === 'string' ? `'${value}'` : pyStr(value)} is not in ['IPv4', 'IPv6'].`);
}

export interface ParsedPrefix { readonly prefix: string; readonly normalized: string; readonly version: 4 | 6 }

/** convert_ip_prefix_to_cidr: any address or CIDR; a bare address gets its full mask. */
export function convertIpPrefix(value: unknown): ParsedPrefix | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed = typeof value === 'string' && value.length <= 64 ? tryParseCidrLoose(value) : undefined;
  if (parsed === undefined) throw bad('InvalidCIDR', `Invalid CIDR ${pyStr(value)} given as IP prefix.`);
  const { cidr, address } = parsed;
  return { prefix: `${formatIp(address)}/${cidr.prefixlen}`, normalized: formatCidr(cidr), version: cidr.version };
}

export interface RuleFields {
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: ParsedPrefix | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
}

function checkPortRange(rule: RuleFields): void {
  const { protocol, port_range_min: min, port_range_max: max } = rule;
  if (min === null && max === null) return;
  if (protocol === null) throw bad('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
  if (isPortProtocol(protocol)) {
    if (min === 0 || max === 0) throw bad('SecurityGroupInvalidPortValue', 'Invalid value for port 0');
    if (min === null || max === null || min > max) {
      throw bad('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
    }
  } else if (isIcmpProtocol(protocol)) {
    for (const [attr, field, value] of [['port_range_min', 'type', min], ['port_range_max', 'code', max]] as const) {
      if (value !== null && value > 255) throw bad('SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`);
    }
    if (min === null && max !== null) {
      throw bad('SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`);
    }
  } else {
    const names = PORT_PROTOCOLS.map((p) => p.toUpperCase()).join(', ');
    throw bad('SecurityGroupInvalidProtocolForPort', `Invalid protocol ${protocolNumber(protocol)} for port range, only supported for ${names} protocols.`);
  }
}

/** The cross-attribute checks; returns the rule with its protocol made canonical for the ethertype. */
export function checkRule(rule: RuleFields, givenPrefix: unknown): RuleFields {
  const out = { ...rule, protocol: canonicalForEthertype(rule.protocol, rule.ethertype) };
  checkPortRange(out);
  if (out.remote_ip_prefix !== null && `IPv${out.remote_ip_prefix.version}` !== out.ethertype) {
    throw bad('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${out.ethertype} for CIDR ${String(givenPrefix)}`);
  }
  if (out.ethertype === 'IPv4' && isIpv6OnlyProtocol(out.protocol)) {
    throw bad('SecurityGroupEthertypeConflictWithProtocol', `Invalid ethertype ${out.ethertype} for protocol ${out.protocol}.`);
  }
  const remotes = [out.remote_ip_prefix, out.remote_group_id, out.remote_address_group_id].filter((r) => r !== null);
  if (remotes.length > 1) {
    throw bad('SecurityGroupMultipleRemoteEntites', 'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.');
  }
  return out;
}
