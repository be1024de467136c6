// Addresses and routes inside one namespace.
import { run, runTolerating, stderrMatches } from './exec.js';
import { assertIfName } from './names.js';
import { assertCidr, assertIp, assertRouteDst, cidrFamily, ipFamily } from './values.js';
import { parseAddresses, parseRoutes, type AddressInfo, type RouteInfo } from './ip-json.js';

type Ns = string | undefined;
const NO_DEVICE = [/Cannot find device/, /does not exist/];

/** All addresses, or those of one device ([] if that device does not exist). */
export async function addresses(ns: Ns, dev?: string): Promise<AddressInfo[]> {
  const args = ['-json', 'addr', 'show'];
  if (dev !== undefined) args.push('dev', assertIfName(dev));
  try {
    return parseAddresses((await run('ip', args, { netns: ns })).stdout);
  } catch (error) {
    if (dev !== undefined && stderrMatches(error, NO_DEVICE)) return [];
    throw error;
  }
}

export async function addAddress(ns: Ns, dev: string, cidr: string): Promise<void> {
  assertIfName(dev);
  assertCidr(cidr);
  // `brd +` gives IPv4 addresses the subnet broadcast, as Neutron does.
  const brd = cidrFamily(cidr) === 4 ? ['brd', '+'] : [];
  await run('ip', ['addr', 'replace', cidr, ...brd, 'dev', dev], { netns: ns });
}

export async function deleteAddress(ns: Ns, dev: string, cidr: string): Promise<void> {
  assertIfName(dev);
  assertCidr(cidr);
  await runTolerating('ip', ['addr', 'delete', cidr, 'dev', dev], { netns: ns },
    [...NO_DEVICE, /Cannot assign requested address/, /address not found/i]);
}

export async function routes(ns: Ns, family: 4 | 6): Promise<RouteInfo[]> {
  const { stdout } = await run('ip', [family === 6 ? '-6' : '-4', '-json', 'route', 'show'], { netns: ns });
  return parseRoutes(stdout, family);
}

export interface RouteSpec { dst: string; via?: string; dev?: string; family?: 4 | 6 }

function routeArgs(verb: 'replace' | 'delete', route: RouteSpec): string[] {
  const dst = assertRouteDst(route.dst);
  const family = route.family ?? (dst !== 'default' ? cidrFamily(dst) : route.via !== undefined ? ipFamily(route.via) : 4);
  const args = [family === 6 ? '-6' : '-4', 'route', verb, dst];
  if (route.via !== undefined) args.push('via', assertIp(route.via));
  if (route.dev !== undefined) args.push('dev', assertIfName(route.dev));
  return args;
}

export async function replaceRoute(ns: Ns, route: RouteSpec): Promise<void> {
  await run('ip', routeArgs('replace', route), { netns: ns });
}

export async function deleteRoute(ns: Ns, route: RouteSpec): Promise<void> {
  await runTolerating('ip', routeArgs('delete', route), { netns: ns }, [...NO_DEVICE, /No such process/]);
}
