// Nimbus configuration: one JSON file plus NIMBUS_* environment overrides, parsed once at start-up
// into a frozen, typed object. Bad values fail here with a message naming the key.
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
// The compute section is parsed by the compute service's own module (nothing runs at import time,
// so the import cycle through ConfigError is harmless).
import { applyComputeEnv, parseComputeConfig, type ComputeConfig } from '../compute/config.js';

export interface PasswordHashConfig {
  /** scrypt CPU/memory cost as log2(N). */
  readonly logN: number;
  readonly blockSize: number;
  readonly parallelism: number;
}

export interface IdentityConfig {
  readonly port: number;
  readonly tokenExpirationSeconds: number;
  /** How many Fernet-like keys the repository keeps (staged + primary + secondaries). */
  readonly maxActiveKeys: number;
  readonly passwordHash: PasswordHashConfig;
  /** Keystone's [oslo_policy] enforce_scope; false keeps legacy project-admin behaviour. */
  readonly enforceScope: boolean;
  readonly policyFile: string | undefined;
  /** Seconds a validated token stays in the in-process cache. */
  readonly tokenCacheSeconds: number;
  readonly securityCompliance: SecurityComplianceConfig;
}

/** Keystone's [security_compliance]; zero turns a check off, as in Keystone's defaults. */
export interface SecurityComplianceConfig {
  readonly lockoutFailureAttempts: number;
  readonly lockoutDurationSeconds: number;
  /** How many recent passwords (including the new one) must be distinct. */
  readonly uniqueLastPasswordCount: number;
}

export interface ImageConfig {
  readonly port: number;
  /** Glance's image_size_cap: no single image may be larger. */
  readonly maxImageSizeBytes: number;
  /** Per-project limits (Glance's image_count_total and image_size_total); -1 means unlimited. */
  readonly quotaImageCount: number;
  readonly quotaImageSizeBytes: number;
}

/** Neutron's ML2 [ml2], [ml2_type_*] options and the API's defaults. */
export interface NetworkConfig {
  readonly port: number;
  /** Type drivers loaded (ML2 type_drivers). */
  readonly typeDrivers: readonly string[];
  /** Types tried, in order, for networks created without provider attributes. */
  readonly tenantNetworkTypes: readonly string[];
  readonly mechanismDrivers: readonly string[];
  /** "min:max" VNI ranges for vxlan and geneve tenant networks. */
  readonly vniRanges: readonly string[];
  readonly geneveVniRanges: readonly string[];
  /** "physnet" or "physnet:min:max" (ML2 network_vlan_ranges). */
  readonly networkVlanRanges: readonly string[];
  /** Physical networks flat networks may use; "*" allows any. */
  readonly flatNetworks: readonly string[];
  readonly globalPhysnetMtu: number;
  /** Neutron's base_mac: generated MACs keep its first three bytes. */
  readonly baseMac: string;
  readonly maxDnsNameservers: number;
  readonly maxHostRoutes: number;
  readonly maxAllowedAddressPairs: number;
  readonly defaultAvailabilityZones: readonly string[];
  /** Seconds after the last heartbeat an agent stops being alive (agent_down_time). */
  readonly agentDownTimeSeconds: number;
  /** Default quotas per resource; -1 means unlimited. */
  readonly quotas: Readonly<Record<string, number>>;
  readonly dataplane: DataplaneConfig;
  /** Neutron's notify_nova_on_port_status_changes: port events to the compute API (NIMBUS_NOTIFY_NOVA). */
  readonly notifyNovaOnPortStatusChanges: boolean;
}

/**
 * Where the network agents run (docs/dataplane.md): 'sandbox' = simulated hosts in namespaces
 * of this machine (the all-in-one's default as root), 'host' = this machine's root namespace as
 * one real host, 'off' = API only.
 */
export interface DataplaneConfig {
  readonly mode: 'sandbox' | 'host' | 'off';
  readonly sandboxName: string;
  readonly sandboxHosts: number;
  /** Give the root namespace its veth into the public network (DevStack's br-ex). */
  readonly uplink: boolean;
  readonly publicCidr: string;
  readonly publicGateway: string;
  /** host mode: this host's tunnel (VXLAN) address and device, physnet → interface mappings. */
  readonly localIp: string | undefined;
  readonly tunnelDevice: string | undefined;
  readonly physicalInterfaceMappings: Readonly<Record<string, string>>;
  /**
   * Neutron's metadata_proxy_shared_secret (the compute metadata API must use the same); unset:
   * generated once into <dataDir>/metadata-secret (metadataSecret()).
   */
  readonly metadataSharedSecret: string | undefined;
  /** Unset: this machine's compute metadata API (http://127.0.0.1:<compute.metadataPort>). */
  readonly novaMetadataUrl: string | undefined;
  readonly resyncIntervalSeconds: number;
  readonly reportIntervalSeconds: number;
}

export const DEFAULT_NETWORK_QUOTAS: Readonly<Record<string, number>> = {
  network: 100, subnet: 100, subnetpool: -1, port: 500, router: 10, floatingip: 50,
  security_group: 10, security_group_rule: 100, rbac_policy: 10, address_scope: -1, address_group: -1,
};

export type BusConfig = { readonly driver: 'memory' } | { readonly driver: 'amqp'; readonly url: string };

export interface NimbusConfig {
  readonly dataDir: string;
  /** Address the API servers bind to. */
  readonly bindHost: string;
  /** Host name or address put into the catalog's endpoint URLs. */
  readonly publicHost: string;
  readonly region: string;
  readonly databaseUrl: string;
  readonly bus: BusConfig;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly identity: IdentityConfig;
  readonly image: ImageConfig;
  readonly network: NetworkConfig;
  readonly compute: ComputeConfig;
  readonly placement: PlacementConfig;
}

export interface PlacementConfig {
  readonly port: number;
}

export class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`configuration ${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;

function section(raw: Raw, key: string): Raw {
  const value = raw[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(key, 'must be an object');
  return value as Raw;
}

function str(raw: Raw, key: string, path: string, fallback: string): string {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'string' || value === '') throw new ConfigError(path, 'must be a non-empty string');
  return value;
}

function int(raw: Raw, key: string, path: string, fallback: number, min: number, max: number): number {
  const value = raw[key] ?? fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(path, `must be an integer from ${min} to ${max}`);
  }
  return n;
}

function bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
  const value = raw[key] ?? fallback;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw new ConfigError(path, 'must be true or false');
}

/** Environment overrides: NIMBUS_DATA_DIR → dataDir, NIMBUS_IDENTITY_PORT → identity.port, … */
function applyEnv(raw: Raw, env: NodeJS.ProcessEnv): Raw {
  const out: Raw = { ...raw };
  const top: Record<string, string> = {
    NIMBUS_DATA_DIR: 'dataDir', NIMBUS_BIND_HOST: 'bindHost', NIMBUS_PUBLIC_HOST: 'publicHost',
    NIMBUS_REGION: 'region', NIMBUS_DATABASE_URL: 'databaseUrl', NIMBUS_LOG_LEVEL: 'logLevel',
  };
  for (const [name, key] of Object.entries(top)) if (env[name] !== undefined) out[key] = env[name];
  if (env.NIMBUS_BUS_URL !== undefined) out.bus = env.NIMBUS_BUS_URL === 'memory' ? { driver: 'memory' } : { driver: 'amqp', url: env.NIMBUS_BUS_URL };
  const identity: Raw = { ...section(raw, 'identity') };
  const idKeys: Record<string, string> = {
    NIMBUS_IDENTITY_PORT: 'port', NIMBUS_IDENTITY_TOKEN_EXPIRATION: 'tokenExpirationSeconds',
    NIMBUS_IDENTITY_ENFORCE_SCOPE: 'enforceScope', NIMBUS_IDENTITY_POLICY_FILE: 'policyFile',
    NIMBUS_IDENTITY_TOKEN_CACHE_SECONDS: 'tokenCacheSeconds',
  };
  for (const [name, key] of Object.entries(idKeys)) if (env[name] !== undefined) identity[key] = env[name];
  const compliance: Raw = { ...section(identity, 'securityCompliance') };
  const scKeys: Record<string, string> = {
    NIMBUS_IDENTITY_LOCKOUT_FAILURE_ATTEMPTS: 'lockoutFailureAttempts', NIMBUS_IDENTITY_LOCKOUT_DURATION: 'lockoutDurationSeconds',
    NIMBUS_IDENTITY_UNIQUE_LAST_PASSWORD_COUNT: 'uniqueLastPasswordCount',
  };
  for (const [name, key] of Object.entries(scKeys)) if (env[name] !== undefined) compliance[key] = env[name];
  identity.securityCompliance = compliance;
  if (env.NIMBUS_PASSWORD_HASH_LOG_N !== undefined) {
    identity.passwordHash = { ...section(identity, 'passwordHash'), logN: env.NIMBUS_PASSWORD_HASH_LOG_N };
  }
  out.identity = identity;
  const image: Raw = { ...section(raw, 'image') };
  const imageKeys: Record<string, string> = {
    NIMBUS_IMAGE_PORT: 'port', NIMBUS_IMAGE_MAX_SIZE: 'maxImageSizeBytes',
    NIMBUS_IMAGE_QUOTA_COUNT: 'quotaImageCount', NIMBUS_IMAGE_QUOTA_SIZE: 'quotaImageSizeBytes',
  };
  for (const [name, key] of Object.entries(imageKeys)) if (env[name] !== undefined) image[key] = env[name];
  out.image = image;
  const network: Raw = { ...section(raw, 'network') };
  if (env.NIMBUS_NETWORK_PORT !== undefined) network.port = env.NIMBUS_NETWORK_PORT;
  if (env.NIMBUS_NOTIFY_NOVA !== undefined) network.notifyNovaOnPortStatusChanges = env.NIMBUS_NOTIFY_NOVA;
  const dataplane: Raw = { ...section(network, 'dataplane') };
  const dpKeys: Record<string, string> = {
    NIMBUS_DATAPLANE: 'mode', NIMBUS_SANDBOX_NAME: 'sandboxName', NIMBUS_SANDBOX_HOSTS: 'sandboxHosts', NIMBUS_UPLINK: 'uplink',
    NIMBUS_METADATA_SECRET: 'metadataSharedSecret', NIMBUS_METADATA_URL: 'novaMetadataUrl',
  };
  for (const [name, key] of Object.entries(dpKeys)) if (env[name] !== undefined) dataplane[key] = env[name];
  network.dataplane = dataplane;
  out.network = network;
  out.compute = applyComputeEnv(section(raw, 'compute'), env);
  if (env.NIMBUS_PLACEMENT_PORT !== undefined) out.placement = { ...section(raw, 'placement'), port: env.NIMBUS_PLACEMENT_PORT };
  return out;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NIMBUS_DATA_DIR) return resolve(env.NIMBUS_DATA_DIR);
  return process.getuid?.() === 0 ? '/var/lib/nimbus' : join(env.HOME ?? '.', '.local', 'share', 'nimbus');
}

export function parseConfig(fileContent: Raw, env: NodeJS.ProcessEnv = {}): NimbusConfig {
  const raw = applyEnv(fileContent, env);
  const dataDir = resolve(str(raw, 'dataDir', 'dataDir', defaultDataDir(env)));
  const id = section(raw, 'identity');
  const hash = section(id, 'passwordHash');
  const sc = section(id, 'securityCompliance');
  const img = section(raw, 'image');
  const net = section(raw, 'network');
  const busRaw = section(raw, 'bus');
  const busDriver = str(busRaw, 'driver', 'bus.driver', 'memory');
  let bus: BusConfig;
  if (busDriver === 'memory') bus = { driver: 'memory' };
  else if (busDriver === 'amqp') bus = { driver: 'amqp', url: str(busRaw, 'url', 'bus.url', '') };
  else throw new ConfigError('bus.driver', 'must be "memory" or "amqp"');
  const logLevel = str(raw, 'logLevel', 'logLevel', 'info');
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  if (!(levels as readonly string[]).includes(logLevel)) throw new ConfigError('logLevel', `must be one of ${levels.join(', ')}`);
  const databaseUrl = str(raw, 'databaseUrl', 'databaseUrl', `sqlite://${join(dataDir, 'nimbus.sqlite')}`);
  if (!/^(sqlite|postgres|postgresql):\/\//.test(databaseUrl)) throw new ConfigError('databaseUrl', 'must start with sqlite:// or postgres://');
  const policyFile = id.policyFile;
  if (policyFile !== undefined && typeof policyFile !== 'string') throw new ConfigError('identity.policyFile', 'must be a path');
  const config: NimbusConfig = {
    dataDir,
    bindHost: str(raw, 'bindHost', 'bindHost', '127.0.0.1'),
    publicHost: str(raw, 'publicHost', 'publicHost', '127.0.0.1'),
    region: str(raw, 'region', 'region', 'RegionOne'),
    databaseUrl,
    bus,
    logLevel: logLevel as NimbusConfig['logLevel'],
    identity: {
      port: int(id, 'port', 'identity.port', 5000, 0, 65535),
      tokenExpirationSeconds: int(id, 'tokenExpirationSeconds', 'identity.tokenExpirationSeconds', 3600, 60, 31 * 86400),
      maxActiveKeys: int(id, 'maxActiveKeys', 'identity.maxActiveKeys', 3, 2, 100),
      passwordHash: {
        logN: int(hash, 'logN', 'identity.passwordHash.logN', 14, 10, 20),
        blockSize: int(hash, 'blockSize', 'identity.passwordHash.blockSize', 8, 1, 64),
        parallelism: int(hash, 'parallelism', 'identity.passwordHash.parallelism', 7, 1, 16),
      },
      enforceScope: bool(id, 'enforceScope', 'identity.enforceScope', false),
      policyFile: policyFile === '' ? undefined : policyFile,
      tokenCacheSeconds: int(id, 'tokenCacheSeconds', 'identity.tokenCacheSeconds', 300, 0, 3600),
      securityCompliance: {
        lockoutFailureAttempts: int(sc, 'lockoutFailureAttempts', 'identity.securityCompliance.lockoutFailureAttempts', 0, 0, 1000),
        lockoutDurationSeconds: int(sc, 'lockoutDurationSeconds', 'identity.securityCompliance.lockoutDurationSeconds', 1800, 1, 86400 * 365),
        uniqueLastPasswordCount: int(sc, 'uniqueLastPasswordCount', 'identity.securityCompliance.uniqueLastPasswordCount', 0, 0, 100),
      },
    },
    image: {
      port: int(img, 'port', 'image.port', 9292, 0, 65535),
      maxImageSizeBytes: int(img, 'maxImageSizeBytes', 'image.maxImageSizeBytes', 1024 ** 4, 1, Number.MAX_SAFE_INTEGER),
      quotaImageCount: int(img, 'quotaImageCount', 'image.quotaImageCount', -1, -1, Number.MAX_SAFE_INTEGER),
      quotaImageSizeBytes: int(img, 'quotaImageSizeBytes', 'image.quotaImageSizeBytes', -1, -1, Number.MAX_SAFE_INTEGER),
    },
    network: parseNetworkConfig(net),
    compute: parseComputeConfig(section(raw, 'compute')),
    placement: { port: int(section(raw, 'placement'), 'port', 'placement.port', 8778, 0, 65535) },
  };
  return Object.freeze(config);
}

function strList(raw: Raw, key: string, path: string, fallback: readonly string[]): readonly string[] {
  const value = raw[key] ?? fallback;
  const list = typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) throw new ConfigError(path, 'must be a list of strings');
  return Object.freeze([...(list as string[])]);
}

function parseNetworkConfig(net: Raw): NetworkConfig {
  const quotas = section(net, 'quotas');
  const merged: Record<string, number> = {};
  for (const [resource, fallback] of Object.entries(DEFAULT_NETWORK_QUOTAS)) {
    merged[resource] = int(quotas, resource, `network.quotas.${resource}`, fallback, -1, Number.MAX_SAFE_INTEGER);
  }
  return {
    port: int(net, 'port', 'network.port', 9696, 0, 65535),
    typeDrivers: strList(net, 'typeDrivers', 'network.typeDrivers', ['local', 'flat', 'vlan', 'vxlan', 'geneve', 'gre']),
    tenantNetworkTypes: strList(net, 'tenantNetworkTypes', 'network.tenantNetworkTypes', ['vxlan']),
    mechanismDrivers: strList(net, 'mechanismDrivers', 'network.mechanismDrivers', ['linuxbridge']),
    vniRanges: strList(net, 'vniRanges', 'network.vniRanges', ['1:1000']),
    geneveVniRanges: strList(net, 'geneveVniRanges', 'network.geneveVniRanges', ['1:1000']),
    networkVlanRanges: strList(net, 'networkVlanRanges', 'network.networkVlanRanges', ['public', 'physnet1:100:199']),
    flatNetworks: strList(net, 'flatNetworks', 'network.flatNetworks', ['*']),
    globalPhysnetMtu: int(net, 'globalPhysnetMtu', 'network.globalPhysnetMtu', 1500, 68, 65535),
    baseMac: str(net, 'baseMac', 'network.baseMac', 'fa:16:3e:00:00:00'),
    maxDnsNameservers: int(net, 'maxDnsNameservers', 'network.maxDnsNameservers', 5, 0, 100),
    maxHostRoutes: int(net, 'maxHostRoutes', 'network.maxHostRoutes', 20, 0, 1000),
    maxAllowedAddressPairs: int(net, 'maxAllowedAddressPairs', 'network.maxAllowedAddressPairs', 10, 0, 1000),
    defaultAvailabilityZones: strList(net, 'defaultAvailabilityZones', 'network.defaultAvailabilityZones', []),
    agentDownTimeSeconds: int(net, 'agentDownTimeSeconds', 'network.agentDownTimeSeconds', 75, 1, 86400),
    quotas: Object.freeze(merged),
    dataplane: parseDataplaneConfig(section(net, 'dataplane')),
    notifyNovaOnPortStatusChanges: bool(net, 'notifyNovaOnPortStatusChanges', 'network.notifyNovaOnPortStatusChanges', true),
  };
}

function parseDataplaneConfig(dp: Raw): DataplaneConfig {
  const fallbackMode = process.getuid?.() === 0 ? 'sandbox' : 'off';
  const mode = str(dp, 'mode', 'network.dataplane.mode', fallbackMode);
  if (mode !== 'sandbox' && mode !== 'host' && mode !== 'off') throw new ConfigError('network.dataplane.mode', 'must be sandbox, host or off');
  const sandboxName = str(dp, 'sandboxName', 'network.dataplane.sandboxName', 'aio');
  if (!/^[a-z0-9]{1,8}$/.test(sandboxName)) throw new ConfigError('network.dataplane.sandboxName', 'must be 1-8 lower-case letters or digits');
  const mappings = section(dp, 'physicalInterfaceMappings');
  for (const [physnet, dev] of Object.entries(mappings)) {
    if (typeof dev !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(dev)) throw new ConfigError(`network.dataplane.physicalInterfaceMappings.${physnet}`, 'must be an interface name');
  }
  const optional = (key: string): string | undefined => (dp[key] === undefined ? undefined : str(dp, key, `network.dataplane.${key}`, ''));
  return {
    mode,
    sandboxName,
    sandboxHosts: int(dp, 'sandboxHosts', 'network.dataplane.sandboxHosts', 1, 1, 16),
    uplink: bool(dp, 'uplink', 'network.dataplane.uplink', true),
    publicCidr: str(dp, 'publicCidr', 'network.dataplane.publicCidr', '172.24.4.0/24'),
    publicGateway: str(dp, 'publicGateway', 'network.dataplane.publicGateway', '172.24.4.1'),
    localIp: optional('localIp'),
    tunnelDevice: optional('tunnelDevice'),
    physicalInterfaceMappings: Object.freeze({ ...(mappings as Record<string, string>) }),
    metadataSharedSecret: optional('metadataSharedSecret'),
    novaMetadataUrl: optional('novaMetadataUrl'),
    resyncIntervalSeconds: int(dp, 'resyncIntervalSeconds', 'network.dataplane.resyncIntervalSeconds', 30, 1, 3600),
    reportIntervalSeconds: int(dp, 'reportIntervalSeconds', 'network.dataplane.reportIntervalSeconds', 10, 1, 3600),
  };
}

/** Loads $NIMBUS_CONFIG (or /etc/nimbus/nimbus.json when present) and applies the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NimbusConfig {
  const path = env.NIMBUS_CONFIG ?? '/etc/nimbus/nimbus.json';
  let content: Raw = {};
  if (existsSync(path)) {
    try {
      content = JSON.parse(readFileSync(path, 'utf8')) as Raw;
    } catch (err) {
      throw new ConfigError(path, `is not valid JSON: ${(err as Error).message}`);
    }
  } else if (env.NIMBUS_CONFIG) {
    throw new ConfigError('NIMBUS_CONFIG', `file ${path} does not exist`);
  }
  return parseConfig(content, env);
}
