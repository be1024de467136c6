// Waiting for a benchmark's all-in-one to be usable, and the network its servers boot on.
import { listNetns } from '../src/hostnet/index.js';
import type { CloudApi } from '../test/support/cloud-api.js';
import { eventually } from '../test/support/eventually.js';

/** The nimbus-cirros image's id once active; every host's nova-compute and hypervisor up, its network agents alive. */
export async function waitCloudReady(api: CloudApi, hosts: readonly string[]): Promise<string> {
  const image = await eventually('the nimbus-cirros image', async () => {
    const list = (await api.request('image', 'GET', '/v2/images?name=nimbus-cirros', [200])).images as { id: string; status: string }[];
    return list.find((i) => i.status === 'active')?.id;
  }, 300_000, 1000);
  await eventually(`nova-compute on ${hosts.join(', ')} up`, async () => {
    const services = (await api.request('compute', 'GET', '/os-services?binary=nova-compute', [200])).services as { host: string; state: string; status: string }[];
    return hosts.every((h) => services.some((s) => s.host === h && s.state === 'up' && s.status === 'enabled')) ? true : undefined;
  }, 120_000, 500);
  await eventually(`hypervisors of ${hosts.join(', ')} up`, async () => {
    const list = (await api.request('compute', 'GET', '/os-hypervisors/detail', [200])).hypervisors as { state: string }[];
    return list.filter((h) => h.state === 'up').length >= hosts.length ? true : undefined;
  }, 120_000, 500);
  await eventually(`network agents of ${hosts.join(', ')} alive`, async () => {
    const agents = (await api.request('network', 'GET', '/v2.0/agents', [200])).agents as { host: string; alive: boolean }[];
    return hosts.every((h) => agents.filter((a) => a.host === h && a.alive).length >= 4) ? true : undefined;
  }, 120_000, 500);
  return image;
}

export interface BenchNetwork { readonly networkId: string; readonly netns: string }

/**
 * A network and subnet (no router), and ICMP into the project's default group (Neutron's default
 * lets in only its members); `netns` is a `…-qdhcp-<network id>` namespace to probe guests from.
 */
export async function prepareNetwork(api: CloudApi, sandbox: string, name: string): Promise<BenchNetwork> {
  const network = (await api.request('network', 'POST', '/v2.0/networks', [201], { network: { name } })).network as { id: string };
  await api.request('network', 'POST', '/v2.0/subnets', [201], { subnet: { network_id: network.id, ip_version: 4, cidr: '10.0.0.0/24', name } });
  const groups = (await api.request('network', 'GET', `/v2.0/security-groups?name=default&project_id=${api.projectId}`, [200])).security_groups as { id: string }[];
  if (!groups[0]) throw new Error('no default security group');
  await api.request('network', 'POST', '/v2.0/security-group-rules', [201, 409],
    { security_group_rule: { security_group_id: groups[0].id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' } });
  const netns = await eventually(`the qdhcp namespace of ${network.id}`, async () =>
    (await listNetns()).find((n) => n.startsWith(`nimbus-${sandbox}-`) && n.endsWith(`qdhcp-${network.id}`)), 60_000, 200);
  return { networkId: network.id, netns };
}
