// Interface attach / detach (compute/api.py attach_interface, detach_interface and the errors
// attach_interfaces.py maps). Allowed on active, paused and stopped servers with no task and no
// lock (admins pass). The network or port is checked with the caller's own token first, as Nova
// asks Neutron in the caller's context — the agent then acts with the service's credentials, so
// nothing the caller cannot see may reach it. Attach is a call to the host (Nova's is too): the
// answer is the plugged port, or the failure. Detach needs the port in the server's info cache
// (else 404 "Port … is not attached") and is a cast. Both record their instance action.
import { ApiError, badRequest, conflict, notFound } from '../../../core/errors.js';
import { BusTimeoutError, RemoteError } from '../../../bus/index.js';
import type { ComputeDeps } from '../../api/deps.js';
import type { InstanceRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { COMPUTE_RPC_TOPIC, type RequestedNetwork } from '../../rpc/compute-protocol.js';
import { parseNetworkInfo } from '../../rpc/vif-info.js';
import type { Caller } from '../caller.js';
import { resolveNetworks, type NetworkRequestItem } from './create-networks.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { checkNotLocked } from './lookup.js';
import { checkInstanceState, type ActionTransition } from './task-claim.js';

// No task state is claimed (Nova sets none for these); toTask is unused by the state check.
const INTERFACE_STATES = { vmStates: ['active', 'paused', 'stopped'], fromTask: [null], toTask: '', needsHost: true } as const;
const ATTACH: ActionTransition = { ...INTERFACE_STATES, action: 'attach_interface' };
const DETACH: ActionTransition = { ...INTERFACE_STATES, action: 'detach_interface' };

/** The agent may wait for network-vif-plugged ([DEFAULT] vif_plugging_timeout, 300 s) and more. */
const ATTACH_CALL_TIMEOUT_MS = 330_000;

export interface AttachRequest {
  readonly netId?: string;
  readonly portId?: string;
  readonly fixedIp?: string;
  readonly tag?: string;
}

/** attach_interfaces.py maps these differently from server create: not found 404, in use 409, ambiguous 400. */
function asAttachError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.kind === 'PortNotFound' || error.kind === 'NetworkNotFound') return notFound(error.message, error.kind);
  if (error.kind === 'FixedIpAlreadyInUse' || error.kind === 'PortInUse') return conflict(error.message, error.kind);
  if (error.kind === 'NetworkAmbiguous') return badRequest(error.message, error.kind);
  return error;
}

async function checkedRequest(deps: ComputeDeps, caller: Caller, token: string, row: InstanceRow, req: AttachRequest): Promise<RequestedNetwork> {
  if (req.netId !== undefined && req.portId !== undefined) throw badRequest('Must not input both network_id and port_id');
  if (req.fixedIp !== undefined && req.netId === undefined) throw badRequest('Must input network_id when request IP address');
  const item: NetworkRequestItem | undefined = req.portId !== undefined ? { port: req.portId }
    : req.netId !== undefined ? { uuid: req.netId, ...(req.fixedIp !== undefined ? { fixed_ip: req.fixedIp } : {}) } : undefined;
  let resolved: RequestedNetwork[];
  try {
    resolved = await resolveNetworks(deps.clients.networkAs(token, caller.requestId), row.project_id, item === undefined ? undefined : [item], 1);
  } catch (error) {
    throw asAttachError(error);
  }
  const requested = resolved[0];
  if (requested === undefined) {
    throw badRequest(`No specific network was requested and none are available for project '${row.project_id}'.`, 'InterfaceAttachFailedNoNetwork');
  }
  return { ...requested, ...(req.tag !== undefined ? { tag: req.tag } : {}) };
}

async function recordAction(deps: ComputeDeps, caller: Caller, row: InstanceRow, action: string): Promise<void> {
  await inTransaction(deps.db, (trx) => recordInstanceAction(trx, {
    action, instanceUuid: row.uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId,
  }));
}

/** What the agent's failure means to the caller: the user's mistakes as Nova's 4xx, the rest InterfaceAttachFailed. */
function agentFailure(error: unknown, uuid: string): ApiError {
  if (error instanceof RemoteError && error.remoteName === 'BuildAbortError') {
    const message = error.remoteMessage;
    if (/could not be found/.test(message)) return notFound(message, 'PortNotFound');
    if (/in use/.test(message)) return conflict(message, 'PortInUse');
    return badRequest(message);
  }
  if (error instanceof RemoteError || error instanceof BusTimeoutError) {
    return new ApiError(500, `Failed to attach network adapter device to ${uuid}`, 'InterfaceAttachFailed');
  }
  throw error;
}

/** Attaches and returns the port's id. */
export async function attachInterface(deps: ComputeDeps, caller: Caller, token: string, row: InstanceRow, req: AttachRequest): Promise<string> {
  checkNotLocked(caller, row);
  checkInstanceState(row, ATTACH);
  const requested = await checkedRequest(deps, caller, token, row, req);
  await recordAction(deps, caller, row, INSTANCE_ACTION.ATTACH_INTERFACE);
  if (deps.bus === undefined) throw new ApiError(500, `Failed to attach network adapter device to ${row.uuid}`, 'InterfaceAttachFailed');
  let answer: unknown;
  try {
    answer = await deps.bus.call({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'attach_interface',
      { uuid: row.uuid, request_id: caller.requestId, ...requested }, { timeoutMs: ATTACH_CALL_TIMEOUT_MS });
  } catch (error) {
    throw agentFailure(error, row.uuid);
  }
  const portId = (answer as { port_id?: unknown } | null)?.port_id;
  if (typeof portId !== 'string') throw new ApiError(500, `Failed to attach network adapter device to ${row.uuid}`, 'InterfaceAttachFailed');
  return portId;
}

export async function detachInterface(deps: ComputeDeps, caller: Caller, row: InstanceRow, portId: string): Promise<void> {
  checkNotLocked(caller, row);
  checkInstanceState(row, DETACH);
  const cache = await deps.db.selectFrom('nova_instance_info_cache').select('network_info').where('instance_uuid', '=', row.uuid).executeTakeFirst();
  if (!parseNetworkInfo(cache?.network_info).some((vif) => vif.id === portId)) throw notFound(`Port ${portId} is not attached`, 'PortNotFound');
  await recordAction(deps, caller, row, INSTANCE_ACTION.DETACH_INTERFACE);
  await deps.bus?.cast({ topic: COMPUTE_RPC_TOPIC, host: row.host! }, 'detach_interface', { uuid: row.uuid, request_id: caller.requestId, port_id: portId });
}
