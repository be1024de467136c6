// The compute service's settings (nova.conf's [api], [quota], [DEFAULT] options that the API
// reads). parseComputeConfig() takes the `compute` section of the Nimbus config file (after
// applyComputeEnv()); the core config plugs it in as `config.compute`, and computeConfigOf()
// reads it from there (falling back to the defaults while a build has no compute section yet).
// Nothing here runs at import time, so core/config.ts may import this module despite the cycle.
import { ConfigError, type NimbusConfig } from '../core/config.js';
import { ApiVersion } from './api/microversion.js';
import { parseConsoleConfig, type ConsoleConfig } from './console-config.js';

/** Nova's [quota] defaults (nova/conf/quota.py), by quota resource name. */
export const DEFAULT_COMPUTE_QUOTAS: Readonly<Record<string, number>> = {
  instances: 10,
  cores: 20,
  ram: 51200,
  metadata_items: 128,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  key_pairs: 100,
  server_groups: 10,
  server_group_members: 10,
  // nova-network's quotas, kept in the API for old clients: unlimited, never enforced.
  fixed_ips: -1,
  floating_ips: -1,
  security_groups: -1,
  security_group_rules: -1,
};

export interface ComputeConfig {
  readonly port: number;
  /** The metadata API (Nova's metadata service; the network metadata agents forward to it). */
  readonly metadataPort: number;
  /** The highest microversion served ("latest" means this); the lowest is always 2.1. */
  readonly maxMicroversion: string;
  /** [api] max_limit: the most items one page of a list returns. */
  readonly maxLimit: number;
  /** [DEFAULT] default_availability_zone: compute hosts outside any zoned aggregate. */
  readonly defaultAvailabilityZone: string;
  /** [DEFAULT] internal_service_availability_zone: where non-compute services live. */
  readonly internalAvailabilityZone: string;
  /** [DEFAULT] service_down_time: seconds after the last heartbeat a service counts as down. */
  readonly serviceDownTimeSeconds: number;
  /** Default quotas per resource; -1 means unlimited. The `default` quota class overrides them. */
  readonly quotas: Readonly<Record<string, number>>;
  /** An oslo.policy file with overrides of Nova's defaults. */
  readonly policyFile: string | undefined;
  /** [DEFAULT] shelved_offload_time: 0 offloads at once (the default), -1 never (no periodic offload here). */
  readonly shelvedOffloadTimeSeconds: number;
  /** [DEFAULT] resize_confirm_window: a resize left unconfirmed this long is confirmed; 0 never. */
  readonly resizeConfirmWindowSeconds: number;
  /** nova-scheduler's [scheduler] / [filter_scheduler] options. */
  readonly scheduler: SchedulerConfig;
  /** The console proxy and console URLs (console-config.ts). */
  readonly console: ConsoleConfig;
}

/** [scheduler] max_attempts and [filter_scheduler] weigher multipliers / host_subset_size. */
export interface SchedulerConfig {
  /** Hosts tried per instance (the chosen one plus max_attempts - 1 alternates). */
  readonly maxAttempts: number;
  /** +1.0 spreads instances over hosts; a negative value packs them. */
  readonly ramWeightMultiplier: number;
  readonly cpuWeightMultiplier: number;
  readonly diskWeightMultiplier: number;
  readonly buildFailureWeightMultiplier: number;
  readonly softAffinityWeightMultiplier: number;
  readonly softAntiAffinityWeightMultiplier: number;
  /** Choose randomly among this many best hosts (1: always the best). */
  readonly hostSubsetSize: number;
  /** [scheduler] max_placement_results: the limit of GET /allocation_candidates. */
  readonly maxPlacementResults: number;
}

type Raw = Record<string, unknown>;

/** The newest microversion this build implements; configuration may lower it, never raise it. */
export const MAX_SUPPORTED_MICROVERSION = '2.95';

function section(raw: Raw, key: string, path: string): Raw {
  const value = raw[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(path, 'must be an object');
  return value as Raw;
}

function int(raw: Raw, key: string, fallback: number, min: number, max: number): number {
  const value = raw[key] ?? fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`compute.${key}`, `must be an integer from ${min} to ${max}`);
  }
  return n;
}

function num(raw: Raw, key: string, fallback: number, path: string): number {
  const value = raw[key] ?? fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ConfigError(`${path}.${key}`, 'must be a number');
  return n;
}

function parseSchedulerConfig(raw: Raw): SchedulerConfig {
  const s = section(raw, 'scheduler', 'compute.scheduler');
  const pos = (key: string, fallback: number, max: number): number => {
    const n = num(s, key, fallback, 'compute.scheduler');
    if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`compute.scheduler.${key}`, `must be an integer from 1 to ${max}`);
    return n;
  };
  return Object.freeze({
    maxAttempts: pos('maxAttempts', 3, 100),
    ramWeightMultiplier: num(s, 'ramWeightMultiplier', 1.0, 'compute.scheduler'),
    cpuWeightMultiplier: num(s, 'cpuWeightMultiplier', 1.0, 'compute.scheduler'),
    diskWeightMultiplier: num(s, 'diskWeightMultiplier', 1.0, 'compute.scheduler'),
    buildFailureWeightMultiplier: num(s, 'buildFailureWeightMultiplier', 1000000, 'compute.scheduler'),
    softAffinityWeightMultiplier: num(s, 'softAffinityWeightMultiplier', 1.0, 'compute.scheduler'),
    softAntiAffinityWeightMultiplier: num(s, 'softAntiAffinityWeightMultiplier', 1.0, 'compute.scheduler'),
    hostSubsetSize: pos('hostSubsetSize', 1, 1000),
    maxPlacementResults: pos('maxPlacementResults', 1000, 100000),
  });
}

function str(raw: Raw, key: string, fallback: string, pattern: RegExp): string {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(`compute.${key}`, `must match ${pattern.source}`);
  return value;
}

/** Environment overrides for the compute section: NIMBUS_COMPUTE_PORT → compute.port, … */
export function applyComputeEnv(raw: Raw, env: NodeJS.ProcessEnv): Raw {
  const out: Raw = { ...raw };
  const keys: Record<string, string> = {
    NIMBUS_COMPUTE_PORT: 'port',
    NIMBUS_COMPUTE_METADATA_PORT: 'metadataPort',
    NIMBUS_COMPUTE_MAX_MICROVERSION: 'maxMicroversion',
    NIMBUS_COMPUTE_POLICY_FILE: 'policyFile',
    NIMBUS_COMPUTE_RESIZE_CONFIRM_WINDOW: 'resizeConfirmWindowSeconds',
    NIMBUS_COMPUTE_SHELVED_OFFLOAD_TIME: 'shelvedOffloadTimeSeconds',
  };
  for (const [name, key] of Object.entries(keys)) if (env[name] !== undefined) out[key] = env[name];
  const consoleKeys: Record<string, string> = {
    NIMBUS_CONSOLE_NOVNC_PORT: 'novncPort', NIMBUS_CONSOLE_SERIAL_PORT: 'serialPort',
    NIMBUS_CONSOLE_NOVNC_BASE_URL: 'novncBaseUrl', NIMBUS_CONSOLE_SERIAL_BASE_URL: 'serialBaseUrl',
  };
  const consoleSection = { ...section(raw, 'console', 'compute.console') };
  for (const [name, key] of Object.entries(consoleKeys)) if (env[name] !== undefined) consoleSection[key] = env[name];
  if (Object.keys(consoleSection).length > 0) out.console = consoleSection;
  return out;
}

export function parseComputeConfig(raw: Raw = {}): ComputeConfig {
  const quotas = section(raw, 'quotas', 'compute.quotas');
  const merged: Record<string, number> = {};
  for (const [resource, fallback] of Object.entries(DEFAULT_COMPUTE_QUOTAS)) {
    const value = quotas[resource] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -1 || value > 2147483647) {
      throw new ConfigError(`compute.quotas.${resource}`, 'must be an integer from -1 to 2147483647');
    }
    merged[resource] = value;
  }
  for (const key of Object.keys(quotas)) {
    if (!(key in DEFAULT_COMPUTE_QUOTAS)) throw new ConfigError(`compute.quotas.${key}`, 'is not a compute quota resource');
  }
  const maxMicroversion = str(raw, 'maxMicroversion', MAX_SUPPORTED_MICROVERSION, /^2\.(0|[1-9]\d*)$/);
  const max = ApiVersion.parse(maxMicroversion);
  if (max === undefined || max.lessThan(ApiVersion.parse('2.1')!) || ApiVersion.parse(MAX_SUPPORTED_MICROVERSION)!.lessThan(max)) {
    throw new ConfigError('compute.maxMicroversion', `must be from 2.1 to ${MAX_SUPPORTED_MICROVERSION}`);
  }
  const policyFile = raw.policyFile;
  if (policyFile !== undefined && typeof policyFile !== 'string') throw new ConfigError('compute.policyFile', 'must be a path');
  return Object.freeze({
    port: int(raw, 'port', 8774, 0, 65535),
    metadataPort: int(raw, 'metadataPort', 8775, 0, 65535),
    maxMicroversion,
    maxLimit: int(raw, 'maxLimit', 1000, 1, 100000),
    defaultAvailabilityZone: str(raw, 'defaultAvailabilityZone', 'nova', /^[^\s:][^:]{0,254}$/),
    internalAvailabilityZone: str(raw, 'internalAvailabilityZone', 'internal', /^[^\s:][^:]{0,254}$/),
    serviceDownTimeSeconds: int(raw, 'serviceDownTimeSeconds', 60, 1, 86400),
    quotas: Object.freeze(merged),
    policyFile: policyFile === '' ? undefined : policyFile,
    resizeConfirmWindowSeconds: int(raw, 'resizeConfirmWindowSeconds', 0, 0, 31_536_000),
    shelvedOffloadTimeSeconds: int(raw, 'shelvedOffloadTimeSeconds', 0, -1, 0),
    scheduler: parseSchedulerConfig(raw),
    console: parseConsoleConfig(section(raw, 'console', 'compute.console')),
  });
}

let defaults: ComputeConfig | undefined;

/** The compute section of a parsed Nimbus config (the defaults when the build has none yet). */
export function computeConfigOf(config: NimbusConfig): ComputeConfig {
  return (config as NimbusConfig & { readonly compute?: ComputeConfig }).compute ?? (defaults ??= parseComputeConfig());
}
