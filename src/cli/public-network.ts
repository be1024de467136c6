// The all-in-one's provider network, as DevStack makes it: `public`, flat on physnet "public",
// external, with the sandbox's public range (gateway = the uplink's address). Created through the
// network API with the admin's credentials, like any client would, and only when missing.
import type { NimbusConfig } from '../core/config.js';
import { networkUrl } from './cloud.js';
import { identityUrl } from './admin-credentials.js';

async function adminToken(config: NimbusConfig, password: string): Promise<string> {
  const res = await fetch(`${identityUrl(config)}/auth/tokens?nocatalog`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password } } },
      scope: { project: { name: 'admin', domain: { id: 'default' } } },
    } }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || token === null) throw new Error(`public network: cannot sign in as admin (${res.status})`);
  return token;
}

/** Offsets .10–.200 of the public /24 style range, leaving room for the gateway and uplink. */
function allocationPool(cidr: string): { start: string; end: string } | undefined {
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
  return m ? { start: `${m[1]}.10`, end: `${m[1]}.200` } : undefined;
}

/** Returns the network id; creates network and subnet when no external network named public exists. */
export async function ensurePublicNetwork(config: NimbusConfig, password: string): Promise<string> {
  const token = await adminToken(config, password);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${networkUrl(config)}/v2.0${path}`, {
      method, headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, any>;
    if (res.status >= 300) throw new Error(`public network: ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const found = (await api('GET', '/networks?name=public&router:external=True')).networks as { id: string }[];
  if (found[0]) return found[0].id;
  const dp = config.network.dataplane;
  const net = (await api('POST', '/networks', { network: {
    name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public',
  } })).network as { id: string };
  const pool = allocationPool(dp.publicCidr);
  await api('POST', '/subnets', { subnet: {
    name: 'public-subnet', network_id: net.id, ip_version: 4, cidr: dp.publicCidr, gateway_ip: dp.publicGateway, enable_dhcp: false,
    ...(pool ? { allocation_pools: [pool] } : {}),
  } });
  return net.id;
}
