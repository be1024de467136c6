// A compute host's `uptime` line, asked of its agent (get_host_uptime), as Nova's
// HostAPI.get_host_uptime: the host's compute service must exist and be up, else
// ComputeServiceUnavailable (the API's 400); an agent that does not answer counts as down.
import { ApiError } from '../../core/errors.js';
import type { ComputeDeps } from '../api/deps.js';
import type { ServiceRow } from '../db/schema.js';
import { COMPUTE_RPC_TOPIC } from '../rpc/compute-protocol.js';
import { serviceIsUp } from './availability-zones.js';

/** Reading two /proc files: anything slower is a host that is not there. */
const UPTIME_TIMEOUT_MS = 10_000;

export const computeServiceUnavailable = (host: string): ApiError =>
  new ApiError(400, `Compute service of ${host} is unavailable at this time.`, 'ComputeServiceUnavailable');

export async function hostUptime(deps: ComputeDeps, service: ServiceRow): Promise<string> {
  if (!serviceIsUp(service, deps.compute) || deps.bus === undefined) throw computeServiceUnavailable(service.host);
  try {
    const answer = await deps.bus.call({ topic: COMPUTE_RPC_TOPIC, host: service.host }, 'get_host_uptime', {}, { timeoutMs: UPTIME_TIMEOUT_MS });
    const uptime = (answer as { uptime?: unknown } | null)?.uptime;
    if (typeof uptime !== 'string') throw new Error('no uptime in the answer');
    return uptime;
  } catch {
    throw computeServiceUnavailable(service.host);
  }
}
