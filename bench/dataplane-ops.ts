// The network API calls the dataplane bench's phases share (admin token, through env.api).
import { randomUUID } from 'node:crypto';
import type { DataplaneEnv } from './dataplane-env.js';

export interface BenchPort { id: string; mac_address: string; fixed_ips: { ip_address: string }[] }

export async function portStatus(env: DataplaneEnv, id: string): Promise<string> {
  return (await env.api('GET', `/v2.0/ports/${id}`, [200])).port.status as string;
}

export async function dhcpPorts(env: DataplaneEnv, networkId: string): Promise<{ status: string; fixed_ips: { ip_address: string }[] }[]> {
  return (await env.api('GET', `/v2.0/ports?network_id=${networkId}&device_owner=network:dhcp`, [200])).ports;
}

export async function dhcpPortsActive(env: DataplaneEnv, networkIds: readonly string[]): Promise<boolean> {
  for (const id of networkIds) {
    const ports = await dhcpPorts(env, id);
    if (ports.length === 0 || ports.some((p) => p.status !== 'ACTIVE')) return false;
  }
  return true;
}

export async function createNetwork(env: DataplaneEnv, name: string, cidr: string, dhcp: boolean): Promise<{ net: string; subnet: string; gateway: string; mtu: number }> {
  const network = (await env.api('POST', '/v2.0/networks', [201], { network: { name } })).network;
  const subnet = (await env.api('POST', '/v2.0/subnets', [201], { subnet: { network_id: network.id, cidr, ip_version: 4, enable_dhcp: dhcp } })).subnet;
  return { net: network.id as string, subnet: subnet.id as string, gateway: subnet.gateway_ip as string, mtu: network.mtu as number };
}

/** A compute port bound to host `hostIndex` (0-based) of the sandbox. */
export async function boundPort(env: DataplaneEnv, networkId: string, name: string, hostIndex = 0): Promise<BenchPort> {
  const port = (await env.api('POST', '/v2.0/ports', [201], { port: { network_id: networkId, name, device_owner: 'compute:nova', device_id: randomUUID() } })).port;
  // binding:host_id is admin-only, as in Neutron: Nova sets it before it plugs the tap.
  await env.api('PUT', `/v2.0/ports/${port.id}`, [200], { port: { 'binding:host_id': env.sandbox.hosts[hostIndex]!.name } });
  return port;
}
