// GET /servers[/detail] filtering, sorting and paging as Nova does it (servers.py _get_servers,
// compute/api.py get_all, db instance_get_all_by_filters_sort):
// - unknown filters are dropped for callers without allow_all_filters (refused from 2.75 by the
//   query schema); non-admins are always scoped to their project;
// - exact filters (project, user, image, vm/task state, host, uuid, locked, flavor) go to SQL, the
//   regex ones (name, ip, …, Python re.search; ip/ip6 re.match on the info cache) and tags are
//   applied to the candidates, then the sort keys (default created_at desc, id) and a keyset page
//   after the marker.
import type { Kysely } from 'kysely';
import { ApiError, forbidden } from '../../../core/errors.js';
import type { Microversion } from '../../api/microversion.js';
import { parseNetworkInfo } from '../../rpc/vif-info.js';
import { statesFromStatus } from '../../api/server-view.js';
import { lastQueryValue, nonNegativeIntegerType, validateQuery, type QueryValues, type Schema } from '../../api/validation.js';
import type { ComputeDb, InstanceRow } from '../../db/schema.js';
import { isoSeconds } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { invalidInput } from '../errors.js';
import { allowed, enforce, ownTarget } from '../policy.js';
import type { Enforcer } from '../../../core/policy/index.js';

// ---- the query schema (schemas/servers.py index_query*) ----------------------------------

/**
 * A Python pattern as a JS RegExp: Unicode mode where it compiles, else the legacy mode, which —
 * like Python's re — accepts escapes of characters that need none (`\-`, as Tempest sends).
 */
function pyRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
}

function regexFormat(name: string): (value: string) => string | undefined {
  return (value) => {
    try {
      pyRegExp(value);
      return undefined;
    } catch {
      return `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'regex'`;
    }
  };
}

const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;

/** timeutils.parse_isotime → epoch ms (naive times are UTC); undefined when it is not ISO 8601. */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', tz] = m;
  const ms = Number(`0.${frac || '0'}`) * 1000;
  let at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.floor(ms));
  const check = new Date(at);
  if (check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (tz !== undefined && tz.toUpperCase() !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    at -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  return at;
}

function dateTimeFormat(name: string): (value: string) => string | undefined {
  return (value) => (parseIsoTime(value) === undefined
    ? `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'` : undefined);
}

const IGNORED_SORT_KEYS = ['architecture', 'cell_name', 'cleaned', 'default_ephemeral_device', 'default_swap_device', 'deleted',
  'deleted_at', 'disable_terminate', 'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on', 'locked', 'memory_mb',
  'os_type', 'reservation_id', 'root_gb', 'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode'];
const IGNORED_SORT_KEYS_V273 = IGNORED_SORT_KEYS.filter((k) => k !== 'locked');
const SORT_KEYS = ['access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone', 'config_drive', 'created_at',
  'display_description', 'display_name', 'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id', 'key_name',
  'launch_index', 'launched_at', 'locked_by', 'node', 'power_state', 'progress', 'project_id', 'ramdisk_id', 'root_device_name',
  'task_state', 'terminated_at', 'updated_at', 'user_id', 'uuid', 'vm_state'];

const REGEX_PARAMS = ['kernel_id', 'ramdisk_id', 'hostname', 'key_name', 'power_state', 'node', 'flavor', 'reservation_id',
  'launched_at', 'terminated_at', 'availability_zone', 'name', 'display_name', 'description', 'display_description', 'locked_by',
  'root_device_name', 'config_drive', 'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'progress', 'ip', 'ip6', 'created_at'];
const PLAIN_PARAMS = ['user_id', 'project_id', 'tenant_id', 'launch_index', 'image_ref', 'image', 'vm_state', 'task_state', 'host',
  'uuid', 'sort_dir', 'all_tenants', 'soft_deleted', 'deleted', 'status', 'marker', 'block_device_mapping', 'services', 'metadata',
  'system_metadata', 'info_cache', 'security_groups', 'pci_devices'];

/** Filters Nova's database matches as regular expressions (every column outside its exact list). */
const REGEX_FILTERS = new Set(REGEX_PARAMS.filter((p) => !['flavor', 'ip', 'ip6'].includes(p)).concat('launch_index'));

function querySchema(mv: Microversion): Record<string, Schema> {
  const props: Record<string, Schema> = {};
  for (const p of PLAIN_PARAMS) props[p] = { type: 'string' };
  for (const p of REGEX_PARAMS) props[p] = { type: 'string', format: regexFormat(p) };
  props.limit = nonNegativeIntegerType;
  props['changes-since'] = { type: 'string', format: dateTimeFormat('changes-since') };
  let sortKeys = [...SORT_KEYS, ...IGNORED_SORT_KEYS];
  if (mv.atLeast('2.26')) for (const p of TAG_FILTERS) props[p] = { type: 'string', format: regexFormat(p) };
  if (mv.atLeast('2.66')) props['changes-before'] = { type: 'string', format: dateTimeFormat('changes-before') };
  if (mv.atLeast('2.73')) {
    props.locked = { type: 'string' };
    sortKeys = ['locked', ...SORT_KEYS, ...IGNORED_SORT_KEYS_V273];
  }
  if (mv.atLeast('2.75')) sortKeys = ['locked', ...SORT_KEYS];
  props.sort_key = { type: 'string', enum: sortKeys };
  return props;
}

const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];
const PAGING_SORTING = ['sort_key', 'sort_dir', 'limit', 'marker'];

/** ServersController._get_server_search_options: what non-admins may filter on. */
function userFilters(mv: Microversion): Set<string> {
  const opts = ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants'];
  if (mv.atLeast('2.5')) opts.push('ip6');
  if (mv.atLeast('2.26')) opts.push(...TAG_FILTERS);
  if (mv.atLeast('2.66')) opts.push('changes-before');
  if (mv.atLeast('2.73')) opts.push('locked');
  if (mv.atLeast('2.83')) {
    opts.push('availability_zone', 'config_drive', 'key_name', 'created_at', 'launched_at', 'terminated_at', 'power_state',
      'task_state', 'vm_state', 'progress', 'user_id');
  }
  if (mv.atLeast('2.90')) opts.push('hostname');
  return new Set(opts);
}

// ---- helpers -------------------------------------------------------------------------------

const BOOL_STRINGS = "'0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'";

/** strutils.bool_from_string(strict=True), refusing as Nova's InvalidInput. */
function strictBoolean(text: string): boolean {
  const lowered = text.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(lowered)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(lowered)) return false;
  throw invalidInput(`Unrecognized value '${text}', acceptable values are: ${BOOL_STRINGS}`);
}

/** bool_from_string(default=False), non-strict. */
function looseBoolean(text: string): boolean {
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(text.trim().toLowerCase());
}

/** Python's re.search / re.match with a JS RegExp (the schema already proved it compiles). */
function search(pattern: string, value: string | number | null): boolean {
  if (value === null) return false;
  return pyRegExp(pattern).test(String(value));
}

function matchStart(pattern: string, value: string): boolean {
  return pyRegExp(`^(?:${pattern})`).test(value);
}

/** Row values the regex filters read (filter name → value). */
function regexColumn(row: InstanceRow, name: string): string | number | null {
  switch (name) {
    case 'name': case 'display_name': return row.display_name;
    case 'description': case 'display_description': return row.display_description;
    case 'kernel_id': case 'ramdisk_id': return '';
    case 'auto_disk_config': return 'False';
    case 'hostname': return row.hostname;
    case 'key_name': return row.key_name;
    case 'power_state': return row.power_state;
    case 'node': return row.node;
    case 'reservation_id': return row.reservation_id;
    case 'launched_at': return row.launched_at;
    case 'terminated_at': return row.terminated_at;
    case 'created_at': return row.created_at;
    case 'availability_zone': return row.availability_zone;
    case 'locked_by': return row.locked_by;
    case 'root_device_name': return row.root_device_name;
    case 'config_drive': return row.config_drive;
    case 'access_ip_v4': return row.access_ip_v4;
    case 'access_ip_v6': return row.access_ip_v6;
    case 'progress': return row.progress;
    case 'launch_index': return row.launch_index;
    default: return null;
  }
}

function flavorInternalId(row: InstanceRow): number | null {
  try {
    const f = JSON.parse(row.flavor) as { id?: unknown };
    return typeof f.id === 'number' ? f.id : null;
  } catch {
    return null;
  }
}

function sortValue(row: InstanceRow, key: string): string | number | null {
  switch (key) {
    case 'instance_type_id': return flavorInternalId(row);
    case 'auto_disk_config': return 0;
    case 'kernel_id': case 'ramdisk_id': return '';
    case 'locked': return row.locked;
    default: return (row as unknown as Record<string, string | number | null>)[key] ?? null;
  }
}

/** NULLs first ascending, as MySQL (Nova's reference database) sorts them. */
function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

// ---- the listing ---------------------------------------------------------------------------

export interface ServerListRequest {
  readonly db: Kysely<ComputeDb>;
  readonly policy: Enforcer;
  readonly caller: Caller;
  readonly mv: Microversion;
  readonly query: QueryValues;
  readonly detail: boolean;
  readonly maxLimit: number;
}

export interface ServerListResult {
  readonly rows: InstanceRow[];
  /** The page size asked for (at most max_limit), for the next link. */
  readonly limit: number;
}

const markerNotFound = (marker: string): ApiError => new ApiError(400, `marker [${marker}] not found`, 'MarkerNotFound');

export async function listServers(req: ServerListRequest): Promise<ServerListResult> {
  const { caller, mv, query } = req;
  validateQuery(query, querySchema(mv), mv.lessThan('2.75'));

  // search_opts.update(req.GET): the last value of each parameter.
  const opts = new Map<string, string>();
  for (const key of Object.keys(query)) {
    const value = lastQueryValue(query, key);
    if (value !== undefined) opts.set(key, value);
  }
  if (allowed(req.policy, caller, 'os_compute_api:servers:allow_all_filters', ownTarget(caller))) {
    for (const key of PAGING_SORTING) opts.delete(key);
  } else {
    const permitted = userFilters(mv);
    for (const key of [...opts.keys()]) if (!permitted.has(key)) opts.delete(key);
  }

  let vmStates: string[] | undefined;
  let taskStates: string[] | undefined;
  if (opts.has('vm_state')) vmStates = [opts.get('vm_state')!];
  if (opts.has('task_state')) taskStates = [opts.get('task_state')!];
  opts.delete('status');
  if (query.status !== undefined) {
    const statuses = typeof query.status === 'string' ? [query.status] : [...query.status];
    const states = statesFromStatus(statuses);
    if (states.vmStates.length === 0 && states.taskStates.length === 0) {
      if (mv.atLeast('2.38')) throw new ApiError(400, 'Invalid status value');
      return { rows: [], limit: 0 };
    }
    vmStates = states.vmStates;
    // 'default' means any task state of those vm states.
    taskStates = states.taskStates.includes('default') ? undefined : states.taskStates;
  }

  let since: number | undefined;
  let before: number | undefined;
  if (opts.has('changes-since')) since = parseIsoTime(opts.get('changes-since')!);
  if (opts.has('changes-before')) before = parseIsoTime(opts.get('changes-before')!);
  if (since !== undefined && before !== undefined && since > before) {
    throw new ApiError(400, 'The value of changes-since must be less than or equal to changes-before.');
  }

  // Deleted servers only when asked for (admin filter) or changes-since/-before include them.
  let deleted: boolean | undefined;
  if (opts.has('deleted')) deleted = looseBoolean(opts.get('deleted')!);
  else if (since === undefined && before === undefined) deleted = false;
  if (vmStates !== undefined && vmStates.length === 1 && vmStates[0] === 'deleted') {
    if (!caller.isAdmin) throw forbidden('Only administrators may list deleted instances');
    deleted = true;
  }

  const tagFilters = new Map<string, string[]>();
  if (mv.atLeast('2.26')) for (const t of TAG_FILTERS) if (opts.has(t)) tagFilters.set(t, opts.get(t)!.split(','));

  // common.is_all_tenants: an empty value enables it.
  let allTenants = false;
  if (opts.has('all_tenants')) {
    const text = opts.get('all_tenants')!;
    allTenants = text === '' ? true : strictBoolean(text);
  }
  let projectId: string | undefined;
  let userId: string | undefined = opts.get('user_id');
  if (allTenants) {
    enforce(req.policy, caller, `os_compute_api:servers:${req.detail ? 'detail' : 'index'}:get_all_tenants`, ownTarget(caller));
    projectId = opts.get('project_id') ?? opts.get('tenant_id');
  } else if (caller.projectId !== '') {
    projectId = caller.projectId;
  } else {
    userId = caller.userId;
  }
  const locked = opts.has('locked') ? strictBoolean(opts.get('locked')!) : undefined;

  // Paging and sorting (common.get_limit_and_marker, get_sort_params, remove_invalid_sort_keys).
  const limitText = lastQueryValue(query, 'limit');
  const limit = limitText === undefined ? req.maxLimit : Math.min(req.maxLimit, Number(limitText));
  const marker = lastQueryValue(query, 'marker');
  const rawKeys = typeof query.sort_key === 'string' ? [query.sort_key] : [...(query.sort_key ?? [])];
  const rawDirs = typeof query.sort_dir === 'string' ? [query.sort_dir] : [...(query.sort_dir ?? [])];
  const sortKeys = rawKeys.map((k) => k.trim());
  const sortDirs = rawDirs.map((d) => d.trim());
  if (sortKeys.length === 0) sortKeys.push('created_at');
  if (sortDirs.length === 0) sortDirs.push('desc');
  const blacklist = mv.atLeast('2.73') ? IGNORED_SORT_KEYS_V273 : IGNORED_SORT_KEYS;
  for (const key of [...sortKeys]) {
    const index = sortKeys.indexOf(key);
    if (blacklist.includes(key)) {
      if (sortDirs.length > index) sortDirs.splice(index, 1);
      sortKeys.splice(index, 1);
    } else if ((key === 'host' || key === 'node') && !caller.isAdmin) {
      throw forbidden(`Only administrators can sort servers by ${key}`);
    }
  }
  const order = processSortParams(sortKeys, sortDirs);

  // Exact filters in SQL.
  let q = req.db.selectFrom('nova_instance').selectAll();
  if (projectId !== undefined) q = q.where('project_id', '=', projectId);
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  if (deleted !== undefined) q = q.where('deleted', deleted ? '!=' : '=', 0);
  if (vmStates !== undefined) q = q.where('vm_state', 'in', vmStates);
  if (taskStates !== undefined) q = q.where('task_state', 'in', taskStates);
  if (opts.has('host')) q = q.where('host', '=', opts.get('host')!);
  if (opts.has('uuid')) q = q.where('uuid', '=', opts.get('uuid')!);
  const image = opts.get('image') ?? opts.get('image_ref');
  if (image !== undefined) q = q.where('image_ref', '=', image);
  if (locked !== undefined) q = q.where('locked', '=', locked ? 1 : 0);
  if (since !== undefined) q = q.where('updated_at', '>=', isoSeconds(Math.ceil(since / 1000) * 1000));
  if (before !== undefined) q = q.where('updated_at', '<=', isoSeconds(Math.floor(before / 1000) * 1000));
  let flavorId: number | undefined;
  if (opts.has('flavor')) {
    const flavor = await req.db.selectFrom('nova_flavor').select('id').where('flavorid', '=', opts.get('flavor')!).executeTakeFirst();
    // FlavorNotFound lists nothing, as Nova does.
    if (flavor === undefined) return { rows: [], limit };
    flavorId = flavor.id;
  }
  let rows = await q.execute();

  // Regex, ip, flavor and tag filters on the candidates.
  const regexFilters = [...opts.entries()].filter(([k]) => REGEX_FILTERS.has(k));
  rows = rows.filter((row) => regexFilters.every(([k, pattern]) => search(pattern, regexColumn(row, k))));
  if (flavorId !== undefined) rows = rows.filter((row) => flavorInternalId(row) === flavorId);
  if (opts.has('ip') || opts.has('ip6')) rows = await filterByIp(req.db, rows, opts.get('ip'), opts.get('ip6'));
  if (tagFilters.size > 0) rows = await filterByTags(req.db, rows, tagFilters);

  rows.sort((a, b) => compareRows(a, b, order));
  if (marker !== undefined) {
    let m = await req.db.selectFrom('nova_instance').selectAll().where('uuid', '=', marker).executeTakeFirst();
    if (m !== undefined && !caller.isAdmin && m.project_id !== caller.projectId) m = undefined;
    if (m === undefined || (m.deleted !== 0 && deleted === false)) throw markerNotFound(marker);
    rows = rows.filter((row) => compareRows(row, m!, order) > 0);
  }
  return { rows: rows.slice(0, limit), limit };
}


type Order = { key: string; dir: 'asc' | 'desc' }[];

/** db process_sort_params: directions checked, created_at and id appended as tie-breakers. */
function processSortParams(keys: string[], dirs: string[]): Order {
  for (const d of dirs) if (d !== 'asc' && d !== 'desc') throw invalidInput("Unknown sort direction, must be 'desc' or 'asc'");
  const defaultDir = (dirs[0] ?? 'desc') as 'asc' | 'desc';
  if (dirs.length > keys.length) throw invalidInput('Sort direction size exceeds sort key size');
  const order: Order = keys.map((key, i) => ({ key, dir: (dirs[i] ?? defaultDir) as 'asc' | 'desc' }));
  for (const key of ['created_at', 'id']) if (!keys.includes(key)) order.push({ key, dir: defaultDir });
  return order;
}

function compareRows(a: InstanceRow, b: InstanceRow, order: Order): number {
  for (const { key, dir } of order) {
    const c = compareValues(sortValue(a, key), sortValue(b, key));
    if (c !== 0) return dir === 'asc' ? c : -c;
  }
  return 0;
}

/** One query per 1000 servers: bound parameters are limited (PostgreSQL: 65535). */
async function inChunks<T>(rows: readonly InstanceRow[], query: (uuids: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += 1000) out.push(...await query(rows.slice(i, i + 1000).map((r) => r.uuid)));
  return out;
}

async function filterByIp(db: Kysely<ComputeDb>, rows: InstanceRow[], ip: string | undefined, ip6: string | undefined): Promise<InstanceRow[]> {
  if (rows.length === 0) return rows;
  const caches = await inChunks(rows, (uuids) => db.selectFrom('nova_instance_info_cache').select(['instance_uuid', 'network_info'])
    .where('instance_uuid', 'in', uuids).execute());
  const matching = new Set<string>();
  for (const cache of caches) {
    const hit = parseNetworkInfo(cache.network_info).some((vif) => vif.network.subnets.some((subnet) => subnet.ips.some((fixed) => {
      const v6 = fixed.address.includes(':');
      return v6 ? ip6 !== undefined && matchStart(ip6, fixed.address) : ip !== undefined && matchStart(ip, fixed.address);
    })));
    if (hit) matching.add(cache.instance_uuid);
  }
  return rows.filter((r) => matching.has(r.uuid));
}

async function filterByTags(db: Kysely<ComputeDb>, rows: InstanceRow[], filters: Map<string, string[]>): Promise<InstanceRow[]> {
  if (rows.length === 0) return rows;
  const tagRows = await inChunks(rows, (uuids) => db.selectFrom('nova_instance_tag').selectAll().where('instance_uuid', 'in', uuids).execute());
  const tagsOf = new Map<string, Set<string>>();
  for (const t of tagRows) tagsOf.set(t.instance_uuid, (tagsOf.get(t.instance_uuid) ?? new Set()).add(t.tag));
  return rows.filter((row) => {
    const have = tagsOf.get(row.uuid) ?? new Set<string>();
    const all = (tags: string[]): boolean => tags.every((t) => have.has(t));
    const any = (tags: string[]): boolean => tags.some((t) => have.has(t));
    const tags = filters.get('tags');
    const tagsAny = filters.get('tags-any');
    const notTags = filters.get('not-tags');
    const notTagsAny = filters.get('not-tags-any');
    if (tags !== undefined && !all(tags)) return false;
    if (tagsAny !== undefined && !any(tagsAny)) return false;
    if (notTags !== undefined && all(notTags)) return false;
    if (notTagsAny !== undefined && any(notTagsAny)) return false;
    return true;
  });
}
