// A server's ports, as Nova's network API (nova/network/neutron.py) handles them on the compute
// host, with the service's credentials: a requested network gets a new port (device, owner,
// host binding, the project's security groups, a fixed IP when asked) that is deleted with the
// server; a requested port is bound to this host and the server, and only unbound on delete.
// The ports become the info cache's VifInfo[] (network name as label, subnets, fixed and floating
// IPs) and the config drive's network_data.json.
import { ServiceApiError, type Network, type NetworkClient, type Port } from '../../core/clients/index.js';
import { tapName, type InstanceBuild, type RequestedNetwork, type VifInfo } from '../rpc/compute-protocol.js';
import { vifInfoOfPorts } from '../rpc/vif-info.js';
import { DASHED_UUID as UUID } from '../../core/ids.js';

/** A build failure that is the user's (bad network, port in use, …): no point rescheduling. */
export class BuildAbortError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BuildAbortError';
  }
}

/** One port of a server, as the agent records it (build.json) for restarts and terminate. */
export interface InstancePort {
  readonly id: string;
  readonly mac: string;
  readonly tap: string;
  readonly mtu: number | null;
  /** The agent created it (deleted on terminate); false = the user's port (unbound on terminate). */
  readonly created: boolean;
}


/** A 4xx from the network service about what the user asked for is the user's problem. */
function userError(error: unknown, message: string): unknown {
  if (error instanceof ServiceApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 403) {
    return new BuildAbortError(`${message}: ${error.detail ?? error.message}`, { cause: error });
  }
  return error;
}

/** The build's security group ids, looked up once for all the ports that need them. */
export class GroupIds {
  #ids: Promise<string[]> | undefined;
  constructor(private readonly lookup: () => Promise<string[]>) {}
  get(): Promise<string[]> { return (this.#ids ??= this.lookup()); }
}

export class Vifs {
  constructor(private readonly network: NetworkClient, private readonly host: string, private readonly defaultZone = 'nova') {}

  deviceOwner(build: InstanceBuild): string {
    return `compute:${build.availability_zone ?? this.defaultZone}`;
  }

  /**
   * Creates or binds the build's ports in order. `onPort` sees each one as soon as it exists, so
   * a failure half-way can give back exactly what was taken (see release()).
   */
  async allocate(build: InstanceBuild, onPort: (port: InstancePort) => void | Promise<void>): Promise<InstancePort[]> {
    const ports: InstancePort[] = [];
    const groups = new GroupIds(() => this.securityGroupIds(build));
    for (const requested of build.requested_networks) {
      const entry = await this.allocatePort(build, requested, groups);
      ports.push(entry);
      await onPort(entry);
    }
    return ports;
  }

  /**
   * One port of the server: the user's bound to this host and the server, or a new one on the
   * network (the server's security groups, the fixed IP when asked). Interface attach uses it alone.
   */
  async allocatePort(build: InstanceBuild, requested: RequestedNetwork, groups = new GroupIds(() => this.securityGroupIds(build))): Promise<InstancePort> {
    let port: Port;
    let mtu: number | null;
    if ('port_id' in requested) {
      const found = await this.network.findPort(requested.port_id);
      if (!found) throw new BuildAbortError(`Port ${requested.port_id} could not be found.`);
      if (found.device_id !== '' && found.device_id !== build.uuid) throw new BuildAbortError(`Port ${found.id} is still in use.`);
      try {
        port = await this.network.bindPort(found.id, { hostId: this.host, deviceId: build.uuid, deviceOwner: this.deviceOwner(build) });
      } catch (error) {
        throw userError(error, `Binding port ${found.id} failed`);
      }
      mtu = (await this.network.showNetwork(port.network_id)).mtu ?? null;
      return { id: port.id, mac: port.mac_address, tap: tapName(port.id), mtu, created: false };
    }
    let network: Network;
    try {
      network = await this.network.showNetwork(requested.network_id);
    } catch (error) {
      throw userError(error, `Network ${requested.network_id} could not be found`);
    }
    mtu = network.mtu ?? null;
    const portSecurity = network.port_security_enabled !== false;
    if (!portSecurity && build.security_groups.some((g) => g !== 'default')) {
      throw new BuildAbortError(`Network requires port_security_enabled and subnet associated in order to apply security groups.`);
    }
    try {
      port = await this.network.createPort({
        network_id: network.id, project_id: build.project_id, admin_state_up: true,
        device_id: build.uuid, device_owner: this.deviceOwner(build), 'binding:host_id': this.host,
        ...(portSecurity ? { security_groups: await groups.get() } : {}),
        ...(requested.fixed_ip !== undefined ? { fixed_ips: [{ ip_address: requested.fixed_ip }] } : {}),
      });
    } catch (error) {
      throw userError(error, `Creating a port on network ${network.id} failed`);
    }
    return { id: port.id, mac: port.mac_address, tap: tapName(port.id), mtu, created: true };
  }

  /** Deletes the ports the agent created and unbinds the user's (Nova's deallocate_for_instance). */
  async release(uuid: string, ports: readonly InstancePort[]): Promise<void> {
    const errors: unknown[] = [];
    const known = new Set(ports.map((p) => p.id));
    // Ports bound to the server that the record missed (e.g. a crash between create and record).
    const extra = await this.network.listPortsByDevice(uuid).catch(() => [] as Port[]);
    const all: { id: string; created: boolean }[] = [...ports, ...extra.filter((p) => !known.has(p.id)).map((p) => ({ id: p.id, created: true }))];
    for (const port of all) {
      try {
        await this.releasePort(uuid, port);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `releasing the ports of ${uuid}: ${errors.map((e) => (e as Error).message).join('; ')}`);
  }

  /** One port: deleted if the agent made it, else unbound — only while it is still this server's. */
  async releasePort(uuid: string, port: Pick<InstancePort, 'id' | 'created'>): Promise<void> {
    if (port.created) {
      await this.network.deletePort(port.id);
      return;
    }
    const current = await this.network.findPort(port.id);
    // Only unbind a port that is still ours: it may have been given to another server.
    if (current && (current.device_id === uuid || current.device_id === '')) await this.network.unbindPort(port.id);
  }

  /** Is the port ACTIVE (the L2 agent plugged it)? */
  async isActive(portId: string): Promise<boolean> {
    return (await this.network.findPort(portId))?.status === 'ACTIVE';
  }

  /** The info cache entries of the ports, in order (the shared mapping, rpc/vif-info.ts). */
  async vifInfo(ports: readonly InstancePort[]): Promise<VifInfo[]> {
    const found: Port[] = [];
    for (const entry of ports) found.push(await this.network.showPort(entry.id));
    const created = new Set(ports.filter((p) => p.created).map((p) => p.id));
    return vifInfoOfPorts(this.network, found, (id) => !created.has(id));
  }

  /** The build's security groups as ids: names resolved within the project, as Nova does. */
  private async securityGroupIds(build: InstanceBuild): Promise<string[]> {
    const wanted = build.security_groups.length === 0 ? ['default'] : build.security_groups;
    const groups = await this.network.listSecurityGroups({ project_id: build.project_id });
    const ids: string[] = [];
    for (const name of wanted) {
      const byId = UUID.test(name) ? groups.find((g) => g.id === name) : undefined;
      const byName = groups.filter((g) => g.name === name);
      if (!byId && byName.length > 1) throw new BuildAbortError(`Multiple security groups found matching '${name}'. Use an ID to be more specific.`);
      const group = byId ?? byName[0];
      if (!group) throw new BuildAbortError(`Security group ${name} not found for project ${build.project_id}.`);
      if (!ids.includes(group.id)) ids.push(group.id);
    }
    return ids;
  }
}

/** network_data.json (nova/virt/netutils.py get_network_metadata) for the config drive. */
export function networkData(vifs: readonly VifInfo[]): { links: unknown[]; networks: unknown[]; services: unknown[] } {
  const links: unknown[] = [];
  const networks: unknown[] = [];
  const services: { type: string; address: string }[] = [];
  vifs.forEach((vif) => {
    links.push({ id: vif.devname, vif_id: vif.id, type: 'bridge', mtu: vif.network.mtu, ethernet_mac_address: vif.address });
    for (const subnet of vif.network.subnets) {
      for (const ip of subnet.ips) {
        const v4 = subnet.version === 4;
        const [, bits = '0'] = subnet.cidr.split('/');
        const routes = subnet.gateway === null ? [] : [{
          network: v4 ? '0.0.0.0' : '::', netmask: v4 ? '0.0.0.0' : '::', gateway: subnet.gateway,
        }];
        networks.push({
          id: `network${networks.length}`, type: v4 ? 'ipv4' : 'ipv6', link: vif.devname, ip_address: ip.address,
          netmask: v4 ? prefixToNetmask(Number(bits)) : `/${bits}`, routes, network_id: vif.network.id,
          services: subnet.dns.map((address) => ({ type: 'dns', address })),
        });
        for (const address of subnet.dns) if (!services.some((s) => s.address === address)) services.push({ type: 'dns', address });
      }
    }
  });
  return { links, networks, services };
}

function prefixToNetmask(bits: number): string {
  const mask = bits <= 0 ? 0 : (0xffffffff << (32 - Math.min(bits, 32))) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
}
