// The all-in-one's provider network, as DevStack makes it: `public`, flat on physnet "public",
// external, with the sandbox's public range (gateway = the uplink's address). Created through the
// network API with the admin's credentials, like any client would, and only when missing.
import type { NimbusConfig } from '../core/config.js';
import { NetworkClient } from '../core/clients/index.js';
import { serviceAuth } from '../core/admin-credentials.js';

/** Offsets .10–.200 of the public /24 style range, leaving room for the gateway and uplink. */
function allocationPool(cidr: string): { start: string; end: string } | undefined {
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
  return m ? { start: `${m[1]}.10`, end: `${m[1]}.200` } : undefined;
}

/** Returns the network id; creates network and subnet when no external network named public exists. */
export async function ensurePublicNetwork(config: NimbusConfig): Promise<string> {
  const auth = serviceAuth(config);
  const dp = config.network.dataplane;
  const pool = allocationPool(dp.publicCidr);
  return NetworkClient.create(auth).ensureExternalNetwork({
    name: 'public', physicalNetwork: 'public', cidr: dp.publicCidr, gatewayIp: dp.publicGateway,
    subnetName: 'public-subnet', ...(pool ? { allocationPools: [pool] } : {}),
  });
}
