// Validators for the port attributes neutron_lib checks with its own functions: fixed_ips,
// allowed_address_pairs, extra_dhcp_opts, dns_name and binding:profile. Messages are Neutron's.
import { ApiError } from '../../../core/errors.js';
import { invalid, pyRepr, type Validator } from '../../api/validators.js';
import { tryParseCidrLoose } from '../../ipam/cidr.js';
import { tryParseIp } from '../../ipam/ip-address.js';
import { tryParseMac, formatMac } from '../../ipam/mac-address.js';
import { badAttribute } from '../errors.js';
import type { FixedIpRequest } from '../ipam/allocate.js';
import type { AddressPair, DhcpOpt } from './create-record.js';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortJson(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** neutron_lib validate_fixed_ips: a list of {subnet_id?, ip_address?}, no address twice. */
export const fixedIps: Validator<FixedIpRequest[]> = (value, attr) => {
  if (!Array.isArray(value)) return invalid(attr, `Invalid data format for fixed IP: '${shortJson(value)}'`);
  if (value.length > 1000) return invalid(attr, 'too many fixed IPs');
  const seen = new Set<string>();
  return value.map((item: unknown) => {
    if (!isDict(item) || Object.keys(item).some((k) => k !== 'subnet_id' && k !== 'ip_address')) {
      return invalid(attr, `Invalid data format for fixed IP: '${shortJson(item)}'`);
    }
    const out: { subnet_id?: string; ip_address?: string } = {};
    if (item.ip_address !== undefined) {
      const ip = item.ip_address;
      if (typeof ip !== 'string' || tryParseIp(ip) === undefined) return invalid(attr, `${pyRepr(ip)} is not a valid IP address`);
      if (seen.has(ip)) return invalid(attr, `Duplicate IP address '${ip}'`);
      seen.add(ip);
      out.ip_address = ip;
    }
    if (item.subnet_id !== undefined) {
      if (typeof item.subnet_id !== 'string' || !UUID_RE.test(item.subnet_id)) return invalid(attr, `${pyRepr(item.subnet_id)} is not a valid UUID`);
      out.subnet_id = item.subnet_id;
    }
    return out;
  });
};

/** neutron_lib's allowed-address-pairs validator; `max` is config max_allowed_address_pair. */
export const addressPairs = (max: number): Validator<AddressPair[]> => (value, attr) => {
  if (!Array.isArray(value)) throw badAttribute('Allowed address pairs must be a list.');
  if (value.length > max) throw new ApiError(400, `The number of allowed address pair exceeds the maximum ${max}.`, 'AllowedAddressPairExhausted');
  const seen = new Set<string>();
  return value.map((pair: unknown) => {
    if (!isDict(pair)) return invalid(attr, `${pyRepr(pair)} is not a dictionary`);
    let mac: string | undefined;
    if (pair.mac_address !== undefined) {
      const bytes = typeof pair.mac_address === 'string' ? tryParseMac(pair.mac_address) : undefined;
      if (bytes === undefined) throw badAttribute(`'${String(pair.mac_address)}' is not a valid MAC address`);
      mac = formatMac(bytes);
    }
    if (pair.ip_address === undefined) throw new ApiError(400, 'AllowedAddressPair must contain ip_address', 'AllowedAddressPairsMissingIP');
    const ip = pair.ip_address;
    const key = `${mac ?? 'None'}|${String(ip)}`;
    if (seen.has(key)) {
      throw new ApiError(400, `Request contains duplicate address pair: mac_address ${mac ?? 'None'} ip_address ${String(ip)}.`, 'DuplicateAddressPairInRequest');
    }
    seen.add(key);
    const extra = Object.keys(pair).filter((k) => k !== 'mac_address' && k !== 'ip_address');
    if (extra.length > 0) throw badAttribute(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    if (typeof ip !== 'string') throw badAttribute(`'${String(ip)}' is not a valid IP address`);
    if (ip.includes('/')) {
      if (tryParseCidrLoose(ip) === undefined) throw badAttribute(`'${ip}' is not a valid IP subnet`);
    } else if (tryParseIp(ip) === undefined) {
      throw badAttribute(`'${ip}' is not a valid IP address`);
    }
    return mac === undefined ? { ip_address: ip } : { ip_address: ip, mac_address: mac };
  });
};

/** Options Neutron lets through with an empty value. */
const BLANK_OK = new Set(['router', 'classless-static-route']);

function dhcpBad(data: string): never {
  throw new ApiError(400, `Invalid data format for extra-dhcp-opt: ${data}.`, 'ExtraDhcpOptBadData');
}

/** An extra DHCP option; opt_value null (on update) means "remove this option". */
export interface DhcpOptRequest { readonly opt_name: string; readonly opt_value: string | null; readonly ip_version: number }

/** neutron's extra-dhcp-opt validator (opt_name ≤ 64, opt_value ≤ 255 or null, ip_version 4/6). */
export const dhcpOpts: Validator<DhcpOptRequest[]> = (value) => {
  if (value === null) return [];
  if (!Array.isArray(value)) return dhcpBad(shortJson(value));
  return value.map((opt: unknown) => {
    if (!isDict(opt)) return dhcpBad(`${shortJson(opt)} is not a dictionary`);
    const extra = Object.keys(opt).filter((k) => !['opt_name', 'opt_value', 'ip_version'].includes(k));
    if (extra.length > 0) return dhcpBad(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    const name = opt.opt_name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 64 || name.includes('\u0000')) {
      return dhcpBad(`'${shortJson(name)}' is not a valid opt_name`);
    }
    const val = opt.opt_value;
    if (!('opt_value' in opt)) return dhcpBad(`Failed to parse request. Required attribute 'opt_value' not specified`);
    if (val !== null && (typeof val !== 'string' || val.length > 255 || val.includes('\u0000') || (val.trim() === '' && !BLANK_OK.has(name)))) {
      return dhcpBad(`'${shortJson(val)}' is not a valid opt_value`);
    }
    let version = 4;
    if (opt.ip_version !== undefined && opt.ip_version !== null) {
      const n = typeof opt.ip_version === 'string' ? Number(opt.ip_version) : opt.ip_version;
      if (n !== 4 && n !== 6) return dhcpBad(`'${shortJson(opt.ip_version)}' is not in [4, 6]`);
      version = n;
    }
    return { opt_name: name, opt_value: val as string | null, ip_version: version };
  });
};

/** Options to store on create: those with a value. */
export function presentOpts(opts: readonly DhcpOptRequest[]): DhcpOpt[] {
  return opts.filter((o): o is DhcpOpt => o.opt_value !== null);
}

const LABEL_RE = /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/;

/** dns_name: a host name or FQDN (neutron_lib validate_dns_name, simplified to its label rules). */
export const dnsName: Validator<string> = (value, attr) => {
  if (typeof value !== 'string') return invalid(attr, `${pyRepr(value)} is not a valid string`);
  if (value === '') return value;
  if (value.length > 255) return invalid(attr, `'${value}' exceeds the 255 character FQDN limit`);
  const labels = (value.endsWith('.') ? value.slice(0, -1) : value).split('.');
  if (!labels.every((l) => LABEL_RE.test(l))) {
    return invalid(attr, `'${value}' not a valid PQDN or FQDN. Reason: labels must be 1-63 characters of letters, digits and hyphens`);
  }
  return value;
};

/** binding:profile: a dict (null means {}), kept within a sane size. */
export const bindingProfile: Validator<Record<string, unknown>> = (value, attr) => {
  if (value === null) return {};
  if (!isDict(value)) return invalid(attr, `${pyRepr(value)} is not a dictionary`);
  if (JSON.stringify(value).length > 4096) return invalid(attr, 'binding:profile is too large');
  return value;
};
