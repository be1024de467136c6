// /v2.0/address-groups (Neutron's address-group extension) with its two member actions,
// PUT …/add_addresses and …/remove_addresses, each taking {"addresses": [CIDR, …]}.
import type { FastifyInstance } from 'fastify';
import { badAttribute } from '../domain/errors.js';
import {
  changeAddresses, createAddressGroup, deleteAddressGroup, listAddressGroups, showAddressGroup, updateAddressGroup, type AddressGroupAttrs,
} from '../domain/security-groups/address-groups.js';
import { formatCidr, tryParseCidrLoose } from '../ipam/cidr.js';
import { formatIp } from '../ipam/ip-address.js';
import { parseCreate, parseUpdate, type AttrMap } from './attributes.js';
import type { NetworkDeps } from './deps.js';
import { callerFor, registerResource } from './resource-routes.js';
import { invalid, listOf, pyRepr, string, uniqueListOf, type Validator } from './validators.js';

/** An address or CIDR, stored as its network: 10.1.2.3/24 → 10.1.2.0/24, 10.1.2.3 → 10.1.2.3/32. */
const normalizedCidr: Validator<string> = (value, attr) => {
  const parsed = typeof value === 'string' && value.length <= 64 ? tryParseCidrLoose(value) : undefined;
  if (parsed === undefined) return invalid(attr, `${pyRepr(value)} is not a valid IP subnet`);
  return formatCidr(parsed.cidr);
};

/**
 * neutron_lib validate_subnet (then normalised): a prefix is required and an IPv4 item must
 * be written canonically — netaddr's str(IPNetwork) keeps host bits, so 192.168.0.10/24
 * passes but 10.20.30.40 does not ("'10.20.30.40/32' is recommended").
 */
const strictCidr: Validator<string> = (value, attr) => {
  const parsed = typeof value === 'string' && value.length <= 64 ? tryParseCidrLoose(value) : undefined;
  if (parsed === undefined) return invalid(attr, `${pyRepr(value)} is not a valid IP subnet`);
  const written = `${formatIp(parsed.address)}/${parsed.cidr.prefixlen}`;
  if (!parsed.hasPrefix || (parsed.cidr.version === 4 && written !== value)) {
    return invalid(attr, `'${String(value)}' isn't a recognized IP subnet cidr, '${formatCidr(parsed.cidr)}' is recommended`);
  }
  return formatCidr(parsed.cidr);
};

const ADDRESS_GROUP_ATTRS: AttrMap = {
  name: { post: true, put: true, default: '', validate: string(255) },
  description: { post: true, put: true, default: '', validate: string(255) },
  addresses: { post: true, default: [], validate: (v, attr) => (v === null ? [] : uniqueListOf(strictCidr)(v, attr)) },
  shared: {},
};

function addressesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badAttribute('Body contains invalid data');
  const addresses = (body as Record<string, unknown>).addresses;
  if (addresses === undefined) throw badAttribute("Failed to parse request. Required attribute 'addresses' not specified");
  return listOf(normalizedCidr)(addresses, 'addresses');
}

export function registerAddressGroupRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'address_group',
    collection: 'address_groups',
    path: 'address-groups',
    create: (d, caller, body) => createAddressGroup(d, caller, parseCreate(body, ADDRESS_GROUP_ATTRS, caller).attrs as unknown as AddressGroupAttrs),
    undoCreate: (d, caller, created) => deleteAddressGroup(d, caller, String(created.id), undefined),
    list: (d, caller, query) => listAddressGroups(d, caller, query),
    show: (d, caller, id) => showAddressGroup(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateAddressGroup(d, caller, id, parseUpdate(body, ADDRESS_GROUP_ATTRS), ifMatch),
    remove: (d, caller, id, ifMatch) => deleteAddressGroup(d, caller, id, ifMatch),
  });
  for (const [action, adding] of [['add_addresses', true], ['remove_addresses', false]] as const) {
    app.put(`/v2.0/address-groups/:id/${action}`, async (request) => {
      const caller = await callerFor(deps, request);
      const { id } = request.params as { id: string };
      return { address_group: await changeAddresses(deps, caller, id, addressesOf(request.body), adding) };
    });
  }
}
