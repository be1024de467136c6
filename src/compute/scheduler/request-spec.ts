// The RequestSpec the API writes (nova_request_spec.spec JSON) and the conductor reads: the build
// request of one POST /servers (all its instances), plus what the conductor adds (alternates,
// attempts). Read leniently: a field the API left out takes Nova's default, a field of the wrong
// type is refused (the row is ours, but a bad one must fail the build, not crash the conductor).
import type { FlavorSnapshot, RequestedNetwork } from '../rpc/compute-protocol.js';

export interface SpecImage {
  readonly id: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly min_disk?: number;
  readonly min_ram?: number;
  readonly size?: number;
  readonly disk_format?: string;
}

export interface SchedulerHints {
  readonly group?: string;
  readonly same_host?: readonly string[];
  readonly different_host?: readonly string[];
}

export interface Alternate {
  readonly host: string;
  readonly node_uuid: string;
}

export interface RequestSpec {
  readonly instance_uuids: readonly string[];
  readonly num_instances: number;
  readonly min_count: number;
  readonly project_id: string;
  readonly user_id: string;
  readonly flavor: FlavorSnapshot;
  readonly image: SpecImage;
  readonly requested_networks: readonly RequestedNetwork[];
  readonly security_groups: readonly string[];
  readonly availability_zone: string | null;
  readonly force_host: string | null;
  readonly force_node: string | null;
  /** Microversion 2.74's host / hypervisor_hostname: restricts the hosts, filters still run. */
  readonly requested_destination: { readonly host: string | null; readonly node: string | null } | null;
  readonly scheduler_hints: SchedulerHints;
  readonly config_drive: boolean;
  readonly key_name: string | null;
  readonly key_data: string | null;
  readonly user_data: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly admin_password: string | null;
  readonly alternates: Readonly<Record<string, readonly Alternate[]>>;
  readonly attempts: Readonly<Record<string, number>>;
  readonly request_id: string;
}

export class RequestSpecError extends Error {}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strOrNull(o: Obj, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new RequestSpecError(`request spec ${key} must be a string`);
  return v;
}

function strList(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new RequestSpecError(`request spec ${key} must be a list of strings`);
  return v as string[];
}

function int(o: Obj, key: string, fallback: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RequestSpecError(`request spec ${key} must be a non-negative integer`);
  return v;
}

function flavor(v: unknown): FlavorSnapshot {
  if (!isObj(v)) throw new RequestSpecError('request spec flavor must be an object');
  for (const k of ['memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap']) {
    const n = v[k] ?? 0;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new RequestSpecError(`request spec flavor.${k} must be a non-negative integer`);
  }
  const extra = v.extra_specs ?? {};
  if (!isObj(extra) || !Object.values(extra).every((x) => typeof x === 'string')) throw new RequestSpecError('request spec flavor.extra_specs must map strings');
  return { ...(v as unknown as FlavorSnapshot), ephemeral_gb: (v.ephemeral_gb as number | undefined) ?? 0, swap: (v.swap as number | undefined) ?? 0, extra_specs: extra as Record<string, string> };
}

function alternates(v: unknown): Record<string, Alternate[]> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new RequestSpecError('request spec alternates must be an object');
  const out: Record<string, Alternate[]> = {};
  for (const [uuid, list] of Object.entries(v)) {
    if (!Array.isArray(list)) throw new RequestSpecError('request spec alternates must hold lists');
    out[uuid] = list.map((a: unknown) => {
      if (!isObj(a) || typeof a.host !== 'string' || typeof a.node_uuid !== 'string') throw new RequestSpecError('request spec alternate must be {host, node_uuid}');
      return { host: a.host, node_uuid: a.node_uuid };
    });
  }
  return out;
}

/** Parses a nova_request_spec.spec JSON text; throws RequestSpecError when it cannot be used. */
export function parseRequestSpec(text: string): RequestSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RequestSpecError('request spec is not JSON');
  }
  if (!isObj(raw)) throw new RequestSpecError('request spec must be an object');
  const uuids = strList(raw.instance_uuids, 'instance_uuids');
  const image = isObj(raw.image) ? raw.image : {};
  const hints = isObj(raw.scheduler_hints) ? raw.scheduler_hints : {};
  const metadata = isObj(raw.metadata) ? raw.metadata : {};
  const attempts = isObj(raw.attempts) ? raw.attempts : {};
  const group = hints.group;
  const dest = isObj(raw.requested_destination) ? raw.requested_destination : undefined;
  const num = int(raw, 'num_instances', uuids.length);
  return {
    instance_uuids: uuids,
    num_instances: num,
    min_count: Math.min(int(raw, 'min_count', num), num),
    project_id: strOrNull(raw, 'project_id') ?? '',
    user_id: strOrNull(raw, 'user_id') ?? '',
    flavor: flavor(raw.flavor),
    image: {
      ...(image as Obj),
      id: typeof image.id === 'string' ? image.id : '',
      properties: isObj(image.properties) ? image.properties : {},
    } as SpecImage,
    requested_networks: Array.isArray(raw.requested_networks) ? raw.requested_networks as RequestedNetwork[] : [],
    security_groups: strList(raw.security_groups, 'security_groups'),
    availability_zone: strOrNull(raw, 'availability_zone'),
    force_host: strOrNull(raw, 'force_host'),
    force_node: strOrNull(raw, 'force_node'),
    requested_destination: dest ? { host: strOrNull(dest, 'host'), node: strOrNull(dest, 'node') } : null,
    scheduler_hints: {
      // Nova accepts a hint given once as a string or as a list of one.
      ...(group !== undefined ? { group: strList(group, 'scheduler_hints.group')[0]! } : {}),
      ...(hints.same_host !== undefined ? { same_host: strList(hints.same_host, 'scheduler_hints.same_host') } : {}),
      ...(hints.different_host !== undefined ? { different_host: strList(hints.different_host, 'scheduler_hints.different_host') } : {}),
    },
    config_drive: raw.config_drive === true,
    key_name: strOrNull(raw, 'key_name'),
    key_data: strOrNull(raw, 'key_data'),
    user_data: strOrNull(raw, 'user_data'),
    metadata: Object.fromEntries(Object.entries(metadata).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
    admin_password: strOrNull(raw, 'admin_password'),
    alternates: alternates(raw.alternates),
    attempts: Object.fromEntries(Object.entries(attempts).filter(([, v]) => typeof v === 'number')) as Record<string, number>,
    request_id: strOrNull(raw, 'request_id') ?? '',
  };
}

/** Placement resources of a flavor (nova.scheduler.utils.resources_from_flavor): zero classes omitted. */
export function resourcesFromFlavor(flavor: FlavorSnapshot, bootFromVolume: boolean): Record<string, number> {
  // swap is in MiB; Nova rounds it up to whole GiB.
  const disk = (bootFromVolume ? 0 : flavor.root_gb) + flavor.ephemeral_gb + Math.ceil(flavor.swap / 1024);
  const out: Record<string, number> = {};
  if (flavor.vcpus > 0) out.VCPU = flavor.vcpus;
  if (flavor.memory_mb > 0) out.MEMORY_MB = flavor.memory_mb;
  if (disk > 0) out.DISK_GB = disk;
  // `resources:CLASS=N` extra specs override the flavor's amounts (0 drops the class).
  for (const [key, value] of Object.entries(flavor.extra_specs)) {
    const m = /^resources:([A-Z0-9_]+)$/.exec(key);
    if (!m || !/^\d+$/.test(value)) continue;
    const n = Number(value);
    if (n === 0) delete out[m[1]!];
    else out[m[1]!] = n;
  }
  return out;
}

/** required= traits: never a disabled compute, plus the flavor's `trait:X=required|forbidden`. */
export function requiredTraits(flavor: FlavorSnapshot): string[] {
  const out = ['!COMPUTE_STATUS_DISABLED'];
  for (const [key, value] of Object.entries(flavor.extra_specs)) {
    const m = /^trait:([A-Z0-9_]+)$/.exec(key);
    if (!m) continue;
    if (value === 'required') out.push(m[1]!);
    else if (value === 'forbidden') out.push(`!${m[1]!}`);
  }
  return out;
}
