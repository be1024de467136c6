// The sandbox's topology as data: every namespace, device and address derived (and validated) from
// the options before anything touches the kernel. Pure; sandbox.ts applies it.
import { SandboxConfigError, contains, formatIpv4, hostAddress, overlaps, parseCidr, parseIpv4, type Ipv4Cidr } from './ipv4.js';

export interface SandboxOptions {
  /** [a-z0-9]{1,8}; namespaces are `nimbus-<name>-…`. */
  name: string;
  /** 1..16 simulated hosts. */
  hosts: number;
  /** Provider ("public") network; default 172.24.4.0/24. */
  publicCidr?: string;
  /** Its gateway; default the first host address (172.24.4.1). */
  publicGateway?: string;
  /** Underlay; default 10.254.0.0/24, host i gets .(10+i). */
  tunnelCidr?: string;
  /** Behind the fabric router (no uplink only); default 203.0.113.0/24: fabric .1, client .10. */
  externalClientCidr?: string;
  /** Give the root namespace the public gateway address through one veth (the all-in-one). Default false. */
  uplink?: boolean;
}

export const SANDBOX_DEFAULTS = {
  publicCidr: '172.24.4.0/24',
  tunnelCidr: '10.254.0.0/24',
  externalClientCidr: '203.0.113.0/24',
} as const;

export const MAX_SANDBOX_HOSTS = 16;
export const UNDERLAY_BRIDGE = 'br-underlay';
export const PUBLIC_BRIDGE = 'br-public';
export const HOST_TUNNEL_DEVICE = 'ul0';
export const HOST_PUBLIC_DEVICE = 'pub0';
export const EXT_CLIENT_DEVICE = 'eth0';
export const EXT_FABRIC_DEVICE = 'ext-client';
export const UPLINK_FABRIC_DEVICE = 'uplink';
const TUNNEL_OFFSET = 10;
const EXT_FABRIC_OFFSET = 1;
const EXT_CLIENT_OFFSET = 10;

export interface PlannedHost {
  /** 1-based. */
  index: number;
  /** Agent host name: `<sandbox>-host<i>`. */
  name: string;
  netns: string;
  tunnelIp: string;
  /** `<tunnelIp>/<prefix>` on ul0. */
  tunnelAddress: string;
  /** Fabric ends of the host's veths. */
  fabricUnderlayPort: string;
  fabricPublicPort: string;
  /** Stable MACs of ul0/pub0, so a re-created host is not hidden behind stale ARP entries. */
  tunnelMac: string;
  publicMac: string;
}

export interface SandboxPlan {
  name: string;
  /** `nimbus-<name>-`: every namespace of the sandbox (and of its agents) starts with it. */
  prefix: string;
  fabricNetns: string;
  publicCidr: string;
  publicGateway: string;
  /** `<publicGateway>/<prefix>`: on br-public (no uplink) or on the root uplink veth. */
  publicGatewayAddress: string;
  tunnelCidr: string;
  /** Stable MACs of the fabric's bridges (br-public is the provider gateway without uplink). */
  underlayBridgeMac: string;
  publicBridgeMac: string;
  hosts: PlannedHost[];
  external?: {
    netns: string;
    clientAddress: string;
    /** `<client>/<prefix>` on eth0. */
    clientCidrAddress: string;
    fabricAddress: string;
    fabricCidrAddress: string;
    cidr: string;
    clientMac: string;
    fabricMac: string;
  };
  uplink?: {
    /** `nimbus-<name>` in the root namespace. */
    rootDevice: string;
    /** Stable MAC of the root end: the provider gateway's MAC as the tenant routers see it. */
    rootMac: string;
  };
}

export function assertSandboxName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9]{1,8}$/.test(name)) {
    throw new SandboxConfigError(`sandbox name ${JSON.stringify(name)} is invalid: use 1 to 8 characters from [a-z0-9]`);
  }
  return name;
}

/** `nimbus-<name>-`: the prefix of every namespace belonging to sandbox `name`. */
export function sandboxPrefix(name: string): string {
  return `nimbus-${assertSandboxName(name)}-`;
}

export function hostNetns(name: string, index: number): string {
  return `${sandboxPrefix(name)}h${index}`;
}

export function uplinkDeviceName(name: string): string {
  return `nimbus-${assertSandboxName(name)}`; // ≤ 15 characters since the name is ≤ 8
}

/**
 * Locally administered unicast MAC `02:<2 bytes of the name's hash>:<role>:<index>`: stable across
 * re-creation, distinct for every device of one sandbox (sandboxes never share a segment).
 */
export function sandboxMac(name: string, role: number, index: number): string {
  let hash = 0x811c9dc5;
  for (const c of name) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const bytes = [0x02, (hash >>> 8) & 0xff, hash & 0xff, role & 0xff, (index >>> 8) & 0xff, index & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const MAC_ROLE = { tunnel: 1, public: 2, bridge: 3, external: 4, uplink: 5 } as const;

export function planSandbox(options: SandboxOptions): SandboxPlan {
  if (options === null || typeof options !== 'object') throw new SandboxConfigError('sandbox options must be an object');
  const name = assertSandboxName(options.name);
  const count = options.hosts;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SANDBOX_HOSTS) {
    throw new SandboxConfigError(`sandbox hosts must be an integer from 1 to ${MAX_SANDBOX_HOSTS}, got ${JSON.stringify(count)}`);
  }
  const uplink = options.uplink ?? false;
  if (typeof uplink !== 'boolean') throw new SandboxConfigError('sandbox uplink must be a boolean');

  const pub = parseCidr(options.publicCidr ?? SANDBOX_DEFAULTS.publicCidr, 'publicCidr', 30);
  const gateway = options.publicGateway ?? hostAddress(pub, 1, 'publicCidr');
  const gatewayValue = parseIpv4(String(gateway));
  if (gatewayValue === undefined) throw new SandboxConfigError(`publicGateway '${gateway}' is not an IPv4 address`);
  if (!contains(pub, gatewayValue) || gatewayValue === pub.network || gatewayValue === pub.network + pub.size - 1) {
    throw new SandboxConfigError(`publicGateway ${gateway} is not a usable host address of publicCidr ${pub.text}`);
  }

  const tunnel = parseCidr(options.tunnelCidr ?? SANDBOX_DEFAULTS.tunnelCidr, 'tunnelCidr', 30);
  if (TUNNEL_OFFSET + count > tunnel.size - 2) {
    throw new SandboxConfigError(`tunnelCidr ${tunnel.text} is too small for ${count} hosts (host i gets .${TUNNEL_OFFSET}+i)`);
  }
  const ranges: [string, Ipv4Cidr][] = [['publicCidr', pub], ['tunnelCidr', tunnel]];

  let external: SandboxPlan['external'];
  if (!uplink) {
    const ext = parseCidr(options.externalClientCidr ?? SANDBOX_DEFAULTS.externalClientCidr, 'externalClientCidr', 28);
    ranges.push(['externalClientCidr', ext]);
    const fabricAddress = hostAddress(ext, EXT_FABRIC_OFFSET, 'externalClientCidr');
    const clientAddress = hostAddress(ext, EXT_CLIENT_OFFSET, 'externalClientCidr');
    external = {
      netns: `nimbus-${name}-ext`,
      clientAddress,
      clientCidrAddress: `${clientAddress}/${ext.prefix}`,
      fabricAddress,
      fabricCidrAddress: `${fabricAddress}/${ext.prefix}`,
      cidr: ext.text,
      clientMac: sandboxMac(name, MAC_ROLE.external, EXT_CLIENT_OFFSET),
      fabricMac: sandboxMac(name, MAC_ROLE.external, EXT_FABRIC_OFFSET),
    };
  } else if (options.externalClientCidr !== undefined) {
    parseCidr(options.externalClientCidr, 'externalClientCidr', 28); // validated, unused: the root namespace is the client
  }
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const [an, a] = ranges[i]!;
      const [bn, b] = ranges[j]!;
      if (overlaps(a, b)) throw new SandboxConfigError(`${an} ${a.text} overlaps ${bn} ${b.text}`);
    }
  }

  const prefix = sandboxPrefix(name);
  const hosts: PlannedHost[] = [];
  for (let index = 1; index <= count; index++) {
    const tunnelIp = formatIpv4(tunnel.network + TUNNEL_OFFSET + index);
    hosts.push({
      index,
      name: `${name}-host${index}`,
      netns: `${prefix}h${index}`,
      tunnelIp,
      tunnelAddress: `${tunnelIp}/${tunnel.prefix}`,
      fabricUnderlayPort: `ul-h${index}`,
      fabricPublicPort: `pub-h${index}`,
      tunnelMac: sandboxMac(name, MAC_ROLE.tunnel, index),
      publicMac: sandboxMac(name, MAC_ROLE.public, index),
    });
  }
  return {
    name,
    prefix,
    fabricNetns: `${prefix}fabric`,
    publicCidr: pub.text,
    publicGateway: formatIpv4(gatewayValue),
    publicGatewayAddress: `${formatIpv4(gatewayValue)}/${pub.prefix}`,
    tunnelCidr: tunnel.text,
    underlayBridgeMac: sandboxMac(name, MAC_ROLE.bridge, 1),
    publicBridgeMac: sandboxMac(name, MAC_ROLE.bridge, 2),
    hosts,
    ...(external ? { external } : {}),
    ...(uplink ? { uplink: { rootDevice: uplinkDeviceName(name), rootMac: sandboxMac(name, MAC_ROLE.uplink, 0) } } : {}),
  };
}
