// A server's console URL (nova/compute/api.py get_vnc_console / get_serial_console and the compute
// manager's half): the server must have a host (InstanceNotReady) and not be going away; the
// protocol must be one served here (vnc/novnc, serial/serial; spice and mks are not enabled:
// ConsoleTypeUnavailable, a type that does not fit its protocol: ConsoleTypeInvalid). The host's
// agent says where the console is (get_console_connect_info); a one-time token for that place is
// stored and its URL on the console proxy returned.
import { ApiError } from '../../../core/errors.js';
import { BusTimeoutError, RemoteError } from '../../../bus/index.js';
import type { ComputeDeps } from '../../api/deps.js';
import { consoleBaseUrls } from '../../console-config.js';
import type { InstanceRow } from '../../db/schema.js';
import { COMPUTE_RPC_TOPIC, type ConsoleConnectInfo } from '../../rpc/compute-protocol.js';
import { consoleAccessUrl, createConsoleToken, type ConsoleEndpoint, type ConsoleType } from '../console-tokens.js';
import { instanceInvalidState, instanceNotFound, instanceNotReady } from './lookup.js';

export const consoleTypeInvalid = (type: string): ApiError => new ApiError(400, `Invalid console type ${type}`, 'ConsoleTypeInvalid');
export const consoleTypeUnavailable = (type: string): ApiError => new ApiError(400, `Unavailable console type ${type}.`, 'ConsoleTypeUnavailable');

/** The agent reads its own files: a later answer means the host is not there (InstanceNotReady). */
const CONNECT_INFO_TIMEOUT_MS = 30_000;

/** The console type a protocol/type pair asks for, or Nova's 400 for it. */
export function consoleTypeFor(protocol: string, type: string): ConsoleType {
  if (protocol === 'vnc') {
    if (type === 'novnc') return 'novnc';
    throw consoleTypeInvalid(type);
  }
  if (protocol === 'serial') {
    if (type === 'serial') return 'serial';
    throw consoleTypeInvalid(type);
  }
  // spice, mks (and rdp): the compute service has them disabled.
  throw consoleTypeUnavailable(type);
}

/** check_instance_host, then reject_instance_state(task_state=[deleting, migrating]). */
export function checkConsoleState(row: InstanceRow, action: string): void {
  if (!row.host) throw instanceNotReady(row.uuid);
  if (row.task_state === 'deleting' || row.task_state === 'migrating') throw instanceInvalidState(row.uuid, action, 'task_state', row.task_state);
}

function endpointOf(uuid: string, info: unknown): ConsoleEndpoint {
  const i = (typeof info === 'object' && info !== null ? info : {}) as Partial<ConsoleConnectInfo>;
  if (typeof i.host === 'string' && typeof i.unix_socket === 'string' && i.unix_socket.startsWith('/')) return { host: i.host, unixSocket: i.unix_socket };
  if (typeof i.host === 'string' && typeof i.port === 'number' && Number.isInteger(i.port) && i.port > 0 && i.port < 65536) return { host: i.host, port: i.port };
  // An agent answering nonsense is as good as none.
  throw instanceNotReady(uuid);
}

async function askHost(deps: ComputeDeps, row: InstanceRow, type: ConsoleType): Promise<ConsoleEndpoint> {
  if (deps.bus === undefined || !row.host) throw instanceNotReady(row.uuid);
  try {
    const info = await deps.bus.call({ topic: COMPUTE_RPC_TOPIC, host: row.host }, 'get_console_connect_info',
      { uuid: row.uuid, console_type: type }, { timeoutMs: CONNECT_INFO_TIMEOUT_MS });
    return endpointOf(row.uuid, info);
  } catch (err) {
    if (err instanceof RemoteError && err.remoteName === 'InstanceNotFound') throw instanceNotFound(row.uuid);
    if (err instanceof RemoteError && err.remoteName === 'ConsoleTypeUnavailable') throw consoleTypeUnavailable(type);
    if (err instanceof BusTimeoutError || err instanceof RemoteError) throw instanceNotReady(row.uuid);
    throw err;
  }
}

/** The console URL of `row` for a checked console type (the caller checked policy and state). */
export async function remoteConsoleUrl(deps: ComputeDeps, row: InstanceRow, type: ConsoleType): Promise<string> {
  const endpoint = await askHost(deps, row, type);
  const bases = consoleBaseUrls(deps.config, deps.compute.console);
  const accessUrlBase = type === 'novnc' ? bases.novnc : bases.serial;
  const token = await createConsoleToken(deps.db, {
    instanceUuid: row.uuid, consoleType: type, endpoint, accessUrlBase, ttlSeconds: deps.compute.console.tokenTtlSeconds,
  });
  return consoleAccessUrl(accessUrlBase, type, token);
}
