// Fixtures for the port tests: networks and subnets made through the API (or, while the subnet
// API is not there yet, written straight into the tables IPAM reads).
import { randomUUID } from 'node:crypto';
import type { NetworkHarness } from '../../support/network-harness.js';

export async function makeNetwork(h: NetworkHarness, token?: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return h.create('network', 'networks', { name: `net-${randomUUID().slice(0, 8)}`, ...body }, token);
}

/** An IPv4 subnet a.b.c.0/24 with the gateway at .1 and the pool .2–.254. */
export async function makeSubnet(h: NetworkHarness, network: Record<string, any>, cidr: string, token?: string): Promise<Record<string, any>> {
  const res = await h.request('POST', '/v2.0/subnets', {
    body: { subnet: { network_id: network.id, cidr, ip_version: 4 } }, ...(token !== undefined ? { token } : {}),
  });
  if (res.statusCode === 201) return res.json().subnet;
  if (res.statusCode !== 404 || !/could not be found|Not Found|not found/i.test(res.body) || /Network/.test(res.body)) {
    throw new Error(`subnet create failed: ${res.statusCode} ${res.body}`);
  }
  const base = cidr.split('/')[0]!.split('.').slice(0, 3).join('.');
  const id = randomUUID();
  const now = `${new Date().toISOString().slice(0, 19)}Z`;
  await h.db.insertInto('net_subnet').values({
    id, project_id: network.project_id, network_id: network.id, name: '', ip_version: 4, cidr, gateway_ip: `${base}.1`,
    enable_dhcp: 1, ipv6_ra_mode: null, ipv6_address_mode: null, subnetpool_id: null, segment_id: null, dns_publish_fixed_ip: 0,
    created_seq: `${Date.now()}`.padStart(21, '0'), description: '', created_at: now, updated_at: now, revision_number: 0,
  }).execute();
  await h.db.insertInto('net_subnet_pool_range').values({ subnet_id: id, first_ip: `${base}.2`, last_ip: `${base}.254`, position: 0 }).execute();
  return { id, network_id: network.id, cidr };
}

export async function createPort(h: NetworkHarness, body: Record<string, unknown>, token?: string): Promise<Record<string, any>> {
  return h.create('port', 'ports', body, token);
}
