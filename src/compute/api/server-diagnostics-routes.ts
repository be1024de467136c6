// GET /servers/{id}/diagnostics (nova/api/openstack/compute/server_diagnostics.py): admin only,
// asked of the agent on the server's host (get_diagnostics), which reads the running guest.
// From 2.48 Nova's standard shape; before it the libvirt driver's free-form dict, rebuilt here
// from the same numbers (disks named vda, vdb…, NICs by their order, as the agent does not name
// them). As Nova's compute manager, only a running guest answers: no host, a stopped or paused
// guest is a 409.
import { ApiError } from '../../core/errors.js';
import { BusTimeoutError, RemoteError } from '../../bus/index.js';
import { enforce } from '../domain/policy.js';
import { instanceNotFound, instanceNotReady, visibleInstance } from '../domain/servers/lookup.js';
import { COMPUTE_RPC_TOPIC, type ServerDiagnostics } from '../rpc/compute-protocol.js';
import type { ComputeRouter, Ctx } from './router.js';

/** The guest is read over QMP and /proc: an answer later than this means the host is not there. */
const DIAGNOSTICS_TIMEOUT_MS = 30_000;

async function askAgent(ctx: Ctx, uuid: string, host: string): Promise<ServerDiagnostics> {
  if (ctx.deps.bus === undefined) throw instanceNotReady(uuid);
  try {
    return await ctx.deps.bus.call({ topic: COMPUTE_RPC_TOPIC, host }, 'get_diagnostics', { uuid }, { timeoutMs: DIAGNOSTICS_TIMEOUT_MS }) as ServerDiagnostics;
  } catch (err) {
    if (err instanceof RemoteError && err.remoteName === 'InstanceNotFound') throw instanceNotFound(uuid);
    if (err instanceof RemoteError && err.remoteName === 'InstanceNotRunning') throw new ApiError(409, `Instance ${uuid} is not running.`, 'InstanceNotRunning');
    if (err instanceof BusTimeoutError || err instanceof RemoteError) throw instanceNotReady(uuid);
    throw err;
  }
}

/** The pre-2.48 dict of Nova's libvirt driver: cpuN_time, memory (KiB), vdX_*, and each NIC's counters. */
export function legacyDiagnostics(d: ServerDiagnostics): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  d.cpu_details.forEach((cpu, i) => { out[`cpu${cpu.id ?? i}_time`] = cpu.time; });
  out.memory = d.memory_details.maximum === null ? null : d.memory_details.maximum * 1024;
  out['memory-actual'] = d.memory_details.used === null ? null : d.memory_details.used * 1024;
  d.disk_details.forEach((disk, i) => {
    const name = `vd${String.fromCharCode(97 + (i % 26))}`;
    Object.assign(out, {
      [`${name}_read`]: disk.read_bytes, [`${name}_read_req`]: disk.read_requests, [`${name}_write`]: disk.write_bytes,
      [`${name}_write_req`]: disk.write_requests, [`${name}_errors`]: disk.errors_count,
    });
  });
  d.nic_details.forEach((nic, i) => {
    Object.assign(out, {
      [`nic${i}_rx`]: nic.rx_octets, [`nic${i}_rx_drop`]: nic.rx_drop, [`nic${i}_rx_errors`]: nic.rx_errors, [`nic${i}_rx_packets`]: nic.rx_packets,
      [`nic${i}_tx`]: nic.tx_octets, [`nic${i}_tx_drop`]: nic.tx_drop, [`nic${i}_tx_errors`]: nic.tx_errors, [`nic${i}_tx_packets`]: nic.tx_packets,
    });
  });
  return out;
}

async function diagnostics(ctx: Ctx): Promise<unknown> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-server-diagnostics', { project_id: row.project_id });
  if (!row.host) throw instanceNotReady(row.uuid);
  const answer = await askAgent(ctx, row.uuid, row.host);
  return ctx.mv.atLeast('2.48') ? answer : legacyDiagnostics(answer);
}

export function registerServerDiagnosticsRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers/:server_id/diagnostics', { handler: diagnostics });
}
