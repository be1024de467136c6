// One of every network resource, created through the API as the admin (plus an RBAC share to
// bob), for tests that need real ids. A resource whose API is not there yet gets a random id and
// is reported in `missing`, so callers still run (against 404s) instead of stopping.
import type { NetworkHarness } from './network-harness.js';
import { reportAgentState } from '../../src/network/domain/agents/agents.js';

export interface NetworkFixtures {
  readonly ids: Readonly<Record<string, string>>;
  /** The fixed IP of the port, for port forwardings. */
  readonly portIp: string;
  /** Fixtures that could not be created, with the reason. */
  readonly missing: readonly string[];
}

export async function createNetworkFixtures(h: NetworkHarness): Promise<NetworkFixtures> {
  const ids: Record<string, string> = {};
  const missing: string[] = [];
  let portIp = '10.99.0.10';
  const make = async (key: string, resource: string, collection: string, body: () => Record<string, unknown>): Promise<Record<string, any> | undefined> => {
    try {
      const made = await h.create(resource, collection, body());
      ids[key] = String(made.id);
      return made;
    } catch (err) {
      ids[key] = crypto.randomUUID();
      missing.push(`${key}: ${(err as Error).message.slice(0, 200)}`);
      return undefined;
    }
  };
  await make('network', 'network', 'networks', () => ({ name: 'fx-net' }));
  await make('subnet', 'subnet', 'subnets', () => ({ network_id: ids.network, ip_version: 4, cidr: '10.99.0.0/24', name: 'fx-subnet' }));
  const port = await make('port', 'port', 'ports', () => ({ network_id: ids.network, name: 'fx-port', fixed_ips: [{ subnet_id: ids.subnet, ip_address: portIp }] }));
  if (port?.fixed_ips?.[0]?.ip_address) portIp = port.fixed_ips[0].ip_address;
  await make('external', 'network', 'networks', () => ({ name: 'fx-public', 'router:external': true }));
  await make('externalSubnet', 'subnet', 'subnets', () => ({ network_id: ids.external, ip_version: 4, cidr: '172.24.99.0/24', name: 'fx-public-subnet' }));
  await make('router', 'router', 'routers', () => ({ name: 'fx-router' }));
  await make('floatingip', 'floatingip', 'floatingips', () => ({ floating_network_id: ids.external }));
  await make('securityGroup', 'security_group', 'security-groups', () => ({ name: 'fx-sg' }));
  await make('securityGroupRule', 'security_group_rule', 'security-group-rules', () => ({
    security_group_id: ids.securityGroup, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22,
  }));
  await make('addressScope', 'address_scope', 'address-scopes', () => ({ name: 'fx-scope', ip_version: 4 }));
  await make('subnetpool', 'subnetpool', 'subnetpools', () => ({ name: 'fx-pool', prefixes: ['10.200.0.0/16'], default_prefixlen: 24 }));
  await make('rbacPolicy', 'rbac_policy', 'rbac-policies', () => ({
    object_type: 'network', object_id: ids.network, action: 'access_as_shared', target_tenant: h.bob.projectId,
  }));
  await make('addressGroup', 'address_group', 'address-groups', () => ({ name: 'fx-ag', addresses: ['10.1.0.0/16'] }));
  // Port forwarding needs the floating IP's network reachable from the port: a router between them.
  await h.request('PUT', `/v2.0/routers/${ids.router}`, { body: { router: { external_gateway_info: { network_id: ids.external } } } });
  await h.request('PUT', `/v2.0/routers/${ids.router}/add_router_interface`, { body: { subnet_id: ids.subnet } });
  await make('portForwarding', 'port_forwarding', `floatingips/${ids.floatingip}/port_forwardings`, () => ({
    internal_port_id: ids.port, internal_ip_address: portIp, internal_port: 22, external_port: 2222, protocol: 'tcp',
  }));
  const segments = await h.request('GET', `/v2.0/segments?network_id=${ids.network}`);
  const segment = segments.statusCode === 200 ? (segments.json().segments as { id: string }[])[0] : undefined;
  if (segment) ids.segment = segment.id;
  else { ids.segment = crypto.randomUUID(); missing.push(`segment: GET /v2.0/segments ${segments.statusCode}`); }
  const agents = await h.request('GET', '/v2.0/agents');
  const agent = agents.statusCode === 200 ? (agents.json().agents as { id: string }[])[0] : undefined;
  if (agent) ids.agent = agent.id;
  else { ids.agent = crypto.randomUUID(); missing.push(`agent: none listed (${agents.statusCode})`); }
  return { ids, portIp, missing };
}

/** PUT insisting on 200; returns the parsed body. */
export async function putOk(h: NetworkHarness, url: string, body: unknown, token?: string): Promise<Record<string, any>> {
  const res = await h.request('PUT', url, { body, ...(token !== undefined ? { token } : {}) });
  if (res.statusCode !== 200) throw new Error(`PUT ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** GET /v2.0/ports/{id} insisting on 200. */
export async function showPort(h: NetworkHarness, id: string): Promise<Record<string, any>> {
  const res = await h.request('GET', `/v2.0/ports/${id}`);
  if (res.statusCode !== 200) throw new Error(`GET port ${id}: ${res.statusCode} ${res.body}`);
  return res.json().port;
}

const FAKE_AGENTS = {
  l2: ['Linux bridge agent', 'neutron-linuxbridge-agent', 'N/A'],
  dhcp: ['DHCP agent', 'neutron-dhcp-agent', 'dhcp_agent'],
  l3: ['L3 agent', 'neutron-l3-agent', 'l3_agent'],
} as const;

/** An agent row as its first report_state would make it (L2 agents carry a VXLAN tunnel IP); returns its id. */
export async function reportFakeAgent(h: NetworkHarness, kind: keyof typeof FAKE_AGENTS, host: string, configurations: Record<string, unknown> = {}): Promise<string> {
  const [agentType, binary, topic] = FAKE_AGENTS[kind];
  const conf = kind === 'l2' ? { tunnel_types: ['vxlan'], tunneling_ip: '192.0.2.10', ...configurations } : configurations;
  return (await reportAgentState(h.db, { agent_type: agentType, binary, topic, host, configurations: conf })).id;
}
