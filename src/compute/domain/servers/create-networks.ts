// The `networks` of a server create resolved through Neutron with the user's own token, as
// nova.network.neutron.API.validate_networks does: what the user cannot see does not exist.
//   absent (< 2.37) / 'auto': the project's one usable network (its own or shared, not external);
//     several → NetworkAmbiguous 409; none → no NIC before 2.37, UnableToAutoAllocateNetwork (400)
//     for 'auto' (Neutron's auto-allocated topology is not offered);
//   'none': no NIC;  [{uuid, fixed_ip?, tag?} | {port, tag?}]: each checked.
import { ApiError, badRequest, conflict } from '../../../core/errors.js';
import { isServiceApiError, type Network, type NetworkClient } from '../../../core/clients/index.js';
import type { RequestedNetwork } from '../../rpc/compute-protocol.js';

export interface NetworkRequestItem { uuid?: string; port?: string | null; fixed_ip?: string; tag?: string }
export type NetworksInput = undefined | 'auto' | 'none' | readonly NetworkRequestItem[];

function unavailable(err: unknown): ApiError {
  return new ApiError(503, `The network service is unavailable: ${err instanceof Error ? err.message : String(err)}`);
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw unavailable(err);
  }
}

const networkNotFound = (id: string): ApiError => badRequest(`Network ${id} could not be found.`, 'NetworkNotFound');

/** Networks a server of this project may use without naming one (Nova's _get_available_networks). */
async function availableNetworks(client: NetworkClient, projectId: string): Promise<Network[]> {
  const own = await client.listNetworks({ project_id: projectId, shared: 'false' });
  const shared = await client.listNetworks({ shared: 'true' });
  const byId = new Map<string, Network>();
  for (const n of [...own, ...shared]) if (n['router:external'] !== true) byId.set(n.id, n);
  return [...byId.values()];
}

async function needsSubnet(network: Network): Promise<void> {
  if (network.subnets.length === 0) {
    throw badRequest(`Network ${network.id} requires a subnet in order to boot instances on.`, 'NetworkRequiresSubnet');
  }
}

/**
 * Checks the request and returns the RPC form (network ids, port ids). `maxCount` matters because a
 * port or a fixed IP can serve one server only.
 */
export async function resolveNetworks(client: NetworkClient, projectId: string, input: NetworksInput, maxCount: number): Promise<RequestedNetwork[]> {
  if (input === 'none') return [];
  if (input === undefined || input === 'auto') {
    const nets = await guard(() => availableNetworks(client, projectId));
    if (nets.length > 1) {
      throw conflict('Multiple possible networks found, use a Network ID to be more specific.', 'NetworkAmbiguous');
    }
    if (nets.length === 0) {
      if (input === 'auto') throw badRequest(`Unable to automatically allocate a network for project ${projectId}`, 'UnableToAutoAllocateNetwork');
      return [];
    }
    await needsSubnet(nets[0]!);
    return [{ network_id: nets[0]!.id }];
  }
  const out: RequestedNetwork[] = [];
  const seenPorts = new Set<string>();
  for (const item of input) {
    const tag = item.tag !== undefined ? { tag: item.tag } : {};
    if (item.port !== undefined && item.port !== null) {
      const portId = item.port;
      if (maxCount > 1) {
        throw badRequest('Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.', 'MultiplePortsNotApplicable');
      }
      if (seenPorts.has(portId)) throw badRequest(`Port ${portId} is still in use.`, 'PortInUse');
      seenPorts.add(portId);
      const port = await guard(() => client.findPort(portId));
      if (port === undefined) throw badRequest(`Port id ${portId} could not be found.`, 'PortNotFound');
      if (port.device_id !== '' && port.device_id !== undefined) throw conflict(`Port ${portId} is still in use.`, 'PortInUse');
      if (port.fixed_ips.length === 0) throw badRequest(`Port ${portId} requires a FixedIP in order to be used.`, 'PortRequiresFixedIP');
      out.push({ port_id: portId, ...tag });
      continue;
    }
    if (item.uuid === undefined) {
      // Nova's "Bad network format: missing 'uuid'".
      throw badRequest("Bad network format: missing 'uuid'");
    }
    const networkId = item.uuid;
    let network: Network;
    try {
      network = await client.showNetwork(networkId);
    } catch (err) {
      if (isServiceApiError(err, 404) || isServiceApiError(err, 400)) throw networkNotFound(networkId);
      throw unavailable(err);
    }
    await needsSubnet(network);
    if (item.fixed_ip !== undefined) {
      if (maxCount > 1) {
        throw badRequest('max_count cannot be greater than 1 if an fixed_ip is specified.', 'InvalidFixedIpAndMaxCountRequest');
      }
      const ip = item.fixed_ip;
      const users = await guard(() => client.listPorts({ network_id: networkId, fixed_ips: `ip_address=${ip}` }));
      if (users.length > 0) {
        throw badRequest(`Fixed IP address ${ip} is already in use on instance ${users[0]!.device_id}.`, 'FixedIpAlreadyInUse');
      }
      out.push({ network_id: networkId, fixed_ip: ip, ...tag });
    } else {
      out.push({ network_id: networkId, ...tag });
    }
  }
  return out;
}

/**
 * Security groups by name or id, in the project (Nova lets Neutron resolve them at port creation
 * and refuses unknown ones up front: SecurityGroupNotFound, 400). 'default' always exists.
 */
export async function checkSecurityGroups(client: NetworkClient, projectId: string, names: readonly string[]): Promise<void> {
  const wanted = [...new Set(names)].filter((n) => n !== 'default');
  if (wanted.length === 0) return;
  const groups = await guard(() => client.listSecurityGroups({ project_id: projectId }));
  for (const name of wanted) {
    if (!groups.some((g) => g.name === name || g.id === name)) {
      throw badRequest(`Security group ${name} not found.`, 'SecurityGroupNotFound');
    }
  }
}
