// Arguments of the agent RPC methods (topic q-plugin). The bus is a trust boundary: every value
// is checked here before it reaches a query, and anything malformed is an Error the caller sees
// as a RemoteError (nothing is written).
import type { BusArgs } from '../../bus/index.js';
import { isUuid } from '../api/validators.js';
import { formatIp, tryParseIp } from '../ipam/ip-address.js';

/** Host names as report_state accepts them (report-state.ts). */
const HOST = /^[\w.:@ /-]{1,255}$/;
/** More ids than any host has ports in one call is a malformed request. */
const MAX_IDS = 10_000;

export type PortStatus = 'ACTIVE' | 'DOWN';
export type FloatingIpStatus = 'ACTIVE' | 'DOWN' | 'ERROR';

function fail(method: string, message: string): never {
  throw new Error(`${method}: ${message}`);
}

function asObject(method: string, args: unknown): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) fail(method, 'arguments must be an object');
  return args as Record<string, unknown>;
}

export function parseHost(method: string, args: BusArgs): string {
  const host = asObject(method, args).host;
  if (typeof host !== 'string' || !HOST.test(host)) fail(method, 'host must be a short name');
  return host;
}

function uuid(method: string, key: string, value: unknown): string {
  if (!isUuid(value)) fail(method, `${key} must be a UUID`);
  return value.toLowerCase();
}

export function parsePortStatusArgs(method: string, args: BusArgs): { host: string; portIds: string[]; status: PortStatus } {
  const host = parseHost(method, args);
  const { port_ids: ids, status } = args;
  if (!Array.isArray(ids) || ids.length > MAX_IDS) fail(method, `port_ids must be a list of at most ${MAX_IDS} UUIDs`);
  const portIds = [...new Set(ids.map((id) => uuid(method, 'port_ids', id)))];
  if (status !== 'ACTIVE' && status !== 'DOWN') fail(method, "status must be 'ACTIVE' or 'DOWN'");
  return { host, portIds, status };
}

export function parseFloatingIpStatusArgs(method: string, args: BusArgs): { host: string; statuses: Map<string, FloatingIpStatus> } {
  const host = parseHost(method, args);
  const raw = args.statuses;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(method, 'statuses must be an object');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_IDS) fail(method, `statuses must name at most ${MAX_IDS} floating IPs`);
  const statuses = new Map<string, FloatingIpStatus>();
  for (const [id, status] of entries) {
    if (status !== 'ACTIVE' && status !== 'DOWN' && status !== 'ERROR') fail(method, "each status must be 'ACTIVE', 'DOWN' or 'ERROR'");
    statuses.set(uuid(method, 'statuses', id), status);
  }
  return { host, statuses };
}

export function parseMetadataArgs(method: string, args: BusArgs): { ipAddress: string; routerId?: string; networkId?: string } {
  const a = asObject(method, args);
  const ip = typeof a.ip_address === 'string' && a.ip_address.length <= 64 ? tryParseIp(a.ip_address) : undefined;
  if (ip === undefined) fail(method, 'ip_address must be an IP address');
  const routerId = a.router_id === undefined || a.router_id === null ? undefined : uuid(method, 'router_id', a.router_id);
  const networkId = a.network_id === undefined || a.network_id === null ? undefined : uuid(method, 'network_id', a.network_id);
  if (routerId === undefined && networkId === undefined) fail(method, 'router_id or network_id is required');
  return { ipAddress: formatIp(ip), ...(routerId !== undefined ? { routerId } : {}), ...(networkId !== undefined ? { networkId } : {}) };
}
