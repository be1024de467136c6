// The network API (Neutron v2.0) as Nova's network layer uses it: ports (create with binding,
// device and addresses, rebind, show, list by device, delete), networks, subnets, security
// groups, floating IPs and extensions; plus ensurePublicNetwork for the all-in-one.
import { HttpClient, seg, type AuthProvider, type HttpClientOptions, type Query } from './http-client.js';

export interface FixedIp {
  readonly subnet_id?: string;
  readonly ip_address?: string;
}

export interface Port {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly project_id: string;
  readonly tenant_id: string;
  readonly mac_address: string;
  readonly admin_state_up: boolean;
  readonly status: string;
  readonly device_id: string;
  readonly device_owner: string;
  readonly fixed_ips: readonly { readonly subnet_id: string; readonly ip_address: string }[];
  readonly security_groups?: readonly string[];
  readonly allowed_address_pairs?: readonly { readonly ip_address: string; readonly mac_address?: string }[];
  readonly port_security_enabled?: boolean;
  readonly 'binding:host_id'?: string;
  readonly 'binding:vif_type'?: string;
  readonly 'binding:vif_details'?: Readonly<Record<string, unknown>>;
  readonly 'binding:vnic_type'?: string;
  readonly 'binding:profile'?: Readonly<Record<string, unknown>>;
  readonly dns_name?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly revision_number?: number;
  readonly created_at?: string;
  readonly updated_at?: string;
  readonly [key: string]: unknown;
}

export interface PortCreate {
  readonly network_id: string;
  readonly name?: string;
  /** Set by an admin (or the service user) to create a port for another project. */
  readonly project_id?: string;
  readonly device_id?: string;
  readonly device_owner?: string;
  readonly fixed_ips?: readonly FixedIp[];
  readonly security_groups?: readonly string[];
  readonly mac_address?: string;
  readonly admin_state_up?: boolean;
  readonly port_security_enabled?: boolean;
  readonly 'binding:host_id'?: string;
  readonly 'binding:vnic_type'?: string;
  readonly 'binding:profile'?: Readonly<Record<string, unknown>>;
  readonly dns_name?: string;
  readonly description?: string;
  readonly [key: string]: unknown;
}

export type PortUpdate = Partial<Omit<PortCreate, 'network_id'>>;

export interface Network {
  readonly id: string;
  readonly name: string;
  readonly project_id: string;
  readonly status: string;
  readonly admin_state_up: boolean;
  readonly shared: boolean;
  readonly subnets: readonly string[];
  readonly mtu?: number;
  readonly 'router:external'?: boolean;
  readonly port_security_enabled?: boolean;
  readonly 'provider:network_type'?: string;
  readonly 'provider:physical_network'?: string | null;
  readonly 'provider:segmentation_id'?: number | null;
  readonly availability_zones?: readonly string[];
  readonly [key: string]: unknown;
}

export interface Subnet {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly project_id: string;
  readonly ip_version: 4 | 6;
  readonly cidr: string;
  readonly gateway_ip: string | null;
  readonly enable_dhcp: boolean;
  readonly dns_nameservers: readonly string[];
  readonly host_routes: readonly { readonly destination: string; readonly nexthop: string }[];
  readonly allocation_pools: readonly { readonly start: string; readonly end: string }[];
  readonly ipv6_ra_mode?: string | null;
  readonly ipv6_address_mode?: string | null;
  readonly [key: string]: unknown;
}

export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly project_id: string;
  readonly description: string;
  readonly security_group_rules?: readonly Readonly<Record<string, unknown>>[];
  readonly [key: string]: unknown;
}

export interface FloatingIp {
  readonly id: string;
  readonly floating_ip_address: string;
  readonly floating_network_id: string;
  readonly project_id: string;
  readonly port_id: string | null;
  readonly fixed_ip_address: string | null;
  readonly router_id: string | null;
  readonly status: string;
  readonly [key: string]: unknown;
}

export interface Extension {
  readonly alias: string;
  readonly name: string;
  readonly description: string;
  readonly updated?: string;
}

/** Neutron list filters: a value, or several (matched as "any of"); `fields` to trim the answer. */
export type NetworkFilters = Query;

/** A Neutron `<collection>_links` next link's parameters, as a Query for the next page. */
function nextPageQuery(links: unknown): Query | undefined {
  if (!Array.isArray(links)) return undefined;
  const next = links.find((l: { rel?: unknown }) => l?.rel === 'next') as { href?: unknown } | undefined;
  if (typeof next?.href !== 'string') return undefined;
  const params = new URL(next.href).searchParams;
  const query: Record<string, string[]> = {};
  for (const [k, v] of params) (query[k] ??= []).push(v);
  return query;
}

export class NetworkClient {
  constructor(readonly http: HttpClient) {}

  /** The network service found in the catalog of `auth` (or `options.endpoint`). */
  static create(auth: AuthProvider, options: Partial<HttpClientOptions> = {}): NetworkClient {
    return new NetworkClient(new HttpClient({ service: 'network', versionPrefix: '/v2.0', auth, ...options }));
  }

  /** The same client passing on `requestId` as the global request id. */
  withRequestId(requestId: string | undefined): NetworkClient {
    return new NetworkClient(this.http.with({ requestId }));
  }

  // --- ports ---------------------------------------------------------------------------------

  async createPort(port: PortCreate): Promise<Port> {
    return (await this.http.post<{ port: Port }>('/ports', { port })).body.port;
  }

  async showPort(id: string): Promise<Port> {
    return (await this.http.get<{ port: Port }>(`/ports/${seg(id)}`)).body.port;
  }

  /** The port, or undefined when there is none (404). */
  async findPort(id: string): Promise<Port | undefined> {
    const res = await this.http.get<{ port: Port }>(`/ports/${seg(id)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.body.port;
  }

  listPorts(filters: NetworkFilters = {}): Promise<Port[]> {
    return this.list<Port>('ports', filters);
  }

  /** A server's ports: Nova's list_ports(device_id=instance.uuid). */
  listPortsByDevice(deviceId: string, filters: NetworkFilters = {}): Promise<Port[]> {
    return this.listPorts({ ...filters, device_id: deviceId });
  }

  async updatePort(id: string, changes: PortUpdate): Promise<Port> {
    return (await this.http.put<{ port: Port }>(`/ports/${seg(id)}`, { port: changes })).body.port;
  }

  /** Binds the port to a compute host for a server (Nova's _update_port_binding_for_instance). */
  bindPort(id: string, binding: { hostId: string; deviceId?: string; deviceOwner?: string; vnicType?: string; profile?: Record<string, unknown> }): Promise<Port> {
    return this.updatePort(id, {
      'binding:host_id': binding.hostId,
      ...(binding.deviceId !== undefined ? { device_id: binding.deviceId } : {}),
      ...(binding.deviceOwner !== undefined ? { device_owner: binding.deviceOwner } : {}),
      ...(binding.vnicType !== undefined ? { 'binding:vnic_type': binding.vnicType } : {}),
      ...(binding.profile !== undefined ? { 'binding:profile': binding.profile } : {}),
    });
  }

  /** Detaches a pre-existing port from its server (Nova's _unbind_ports): no host, no device. */
  unbindPort(id: string): Promise<Port> {
    return this.updatePort(id, { 'binding:host_id': '', 'binding:profile': {}, device_id: '', device_owner: '' });
  }

  /** Deletes the port; false when it was already gone. */
  async deletePort(id: string): Promise<boolean> {
    const res = await this.http.delete(`/ports/${seg(id)}`, { accept: [404] });
    return res.status !== 404;
  }

  // --- networks, subnets ---------------------------------------------------------------------

  async createNetwork(network: Readonly<Record<string, unknown>>): Promise<Network> {
    return (await this.http.post<{ network: Network }>('/networks', { network })).body.network;
  }

  async showNetwork(id: string): Promise<Network> {
    return (await this.http.get<{ network: Network }>(`/networks/${seg(id)}`)).body.network;
  }

  listNetworks(filters: NetworkFilters = {}): Promise<Network[]> {
    return this.list<Network>('networks', filters);
  }

  async deleteNetwork(id: string): Promise<boolean> {
    const res = await this.http.delete(`/networks/${seg(id)}`, { accept: [404] });
    return res.status !== 404;
  }

  async createSubnet(subnet: Readonly<Record<string, unknown>>): Promise<Subnet> {
    return (await this.http.post<{ subnet: Subnet }>('/subnets', { subnet })).body.subnet;
  }

  async showSubnet(id: string): Promise<Subnet> {
    return (await this.http.get<{ subnet: Subnet }>(`/subnets/${seg(id)}`)).body.subnet;
  }

  listSubnets(filters: NetworkFilters = {}): Promise<Subnet[]> {
    return this.list<Subnet>('subnets', filters);
  }

  /** The subnets of one network (or of several: pass an array). */
  listSubnetsByNetwork(networkId: string | readonly string[], filters: NetworkFilters = {}): Promise<Subnet[]> {
    return this.listSubnets({ ...filters, network_id: networkId });
  }

  // --- security groups, floating IPs, extensions ---------------------------------------------

  listSecurityGroups(filters: NetworkFilters = {}): Promise<SecurityGroup[]> {
    return this.list<SecurityGroup>('security-groups', filters, 'security_groups');
  }

  /** A security group, or undefined when the network service answers 404. */
  async findSecurityGroup(id: string): Promise<SecurityGroup | undefined> {
    const res = await this.http.get<{ security_group: SecurityGroup }>(`/security-groups/${seg(id)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.body.security_group;
  }

  async createSecurityGroup(group: { name: string; description: string; project_id?: string }): Promise<SecurityGroup> {
    return (await this.http.post<{ security_group: SecurityGroup }>('/security-groups', { security_group: group })).body.security_group;
  }

  async updateSecurityGroup(id: string, changes: { name?: string; description?: string }): Promise<SecurityGroup> {
    return (await this.http.put<{ security_group: SecurityGroup }>(`/security-groups/${seg(id)}`, { security_group: changes })).body.security_group;
  }

  /** Deletes; false when it was not there. A group in use is the network service's 409. */
  async deleteSecurityGroup(id: string): Promise<boolean> {
    const res = await this.http.delete(`/security-groups/${seg(id)}`, { accept: [404] });
    return res.status !== 404;
  }

  /** Security groups by name within a project (Nova resolves `--security-group name` this way). */
  listSecurityGroupsByName(names: string | readonly string[], projectId: string): Promise<SecurityGroup[]> {
    return this.listSecurityGroups({ name: names, project_id: projectId });
  }

  /** A security group rule, or undefined when the network service answers 404. */
  async findSecurityGroupRule(id: string): Promise<Readonly<Record<string, unknown>> | undefined> {
    const res = await this.http.get<{ security_group_rule: Record<string, unknown> }>(`/security-group-rules/${seg(id)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.body.security_group_rule;
  }

  async createSecurityGroupRule(rule: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>>> {
    return (await this.http.post<{ security_group_rule: Record<string, unknown> }>('/security-group-rules', { security_group_rule: rule })).body.security_group_rule;
  }

  /** Deletes; false when it was not there. */
  async deleteSecurityGroupRule(id: string): Promise<boolean> {
    const res = await this.http.delete(`/security-group-rules/${seg(id)}`, { accept: [404] });
    return res.status !== 404;
  }

  /** A floating IP, or undefined when the network service answers 404. */
  async findFloatingIp(id: string): Promise<FloatingIp | undefined> {
    const res = await this.http.get<{ floatingip: FloatingIp }>(`/floatingips/${seg(id)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.body.floatingip;
  }

  async createFloatingIp(floatingip: { floating_network_id: string }): Promise<FloatingIp> {
    return (await this.http.post<{ floatingip: FloatingIp }>('/floatingips', { floatingip })).body.floatingip;
  }

  /** Deletes (which also disassociates); false when it was not there. */
  async deleteFloatingIp(id: string): Promise<boolean> {
    const res = await this.http.delete(`/floatingips/${seg(id)}`, { accept: [404] });
    return res.status !== 404;
  }

  listFloatingIps(filters: NetworkFilters = {}): Promise<FloatingIp[]> {
    return this.list<FloatingIp>('floatingips', filters);
  }

  /** Associates a floating IP with a port (and one of its addresses), or disassociates it (null). */
  async updateFloatingIp(id: string, portId: string | null, fixedIpAddress?: string): Promise<FloatingIp> {
    const floatingip = { port_id: portId, ...(fixedIpAddress !== undefined ? { fixed_ip_address: fixedIpAddress } : {}) };
    return (await this.http.put<{ floatingip: FloatingIp }>(`/floatingips/${seg(id)}`, { floatingip })).body.floatingip;
  }

  async listExtensions(): Promise<Extension[]> {
    return (await this.http.get<{ extensions: Extension[] }>('/extensions')).body.extensions;
  }

  async hasExtension(alias: string): Promise<boolean> {
    return (await this.listExtensions()).some((e) => e.alias === alias);
  }

  // --- helpers -------------------------------------------------------------------------------

  /**
   * An external flat provider network with one subnet, created when no external network of that
   * name exists (DevStack's `public`). Returns the network's id either way.
   */
  async ensureExternalNetwork(spec: {
    name: string; physicalNetwork: string; cidr: string; gatewayIp: string | null;
    allocationPools?: readonly { start: string; end: string }[]; subnetName?: string;
  }): Promise<string> {
    const found = await this.listNetworks({ name: spec.name, 'router:external': 'True' });
    if (found[0]) return found[0].id;
    const net = await this.createNetwork({
      name: spec.name, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': spec.physicalNetwork,
    });
    try {
      await this.createSubnet({
        name: spec.subnetName ?? `${spec.name}-subnet`, network_id: net.id, ip_version: 4, cidr: spec.cidr,
        gateway_ip: spec.gatewayIp, enable_dhcp: false,
        ...(spec.allocationPools ? { allocation_pools: spec.allocationPools } : {}),
      });
    } catch (err) {
      // Never leave a network without its subnet behind: the next try starts afresh.
      await this.deleteNetwork(net.id).catch(() => undefined);
      throw err;
    }
    return net.id;
  }

  /** A whole collection, following `<collection>_links` when the server pages. */
  private async list<T>(path: string, filters: NetworkFilters, key = path): Promise<T[]> {
    const items: T[] = [];
    let query: Query | undefined = filters;
    for (let pages = 0; query !== undefined && pages < 10_000; pages += 1) {
      const body: Record<string, unknown> = (await this.http.get<Record<string, unknown>>(`/${path}`, { query })).body;
      const page = body[key];
      if (!Array.isArray(page)) break;
      items.push(...(page as T[]));
      const next = nextPageQuery(body[`${key}_links`]);
      query = next && page.length > 0 ? next : undefined;
    }
    return items;
  }
}
