// Server power actions and the console log (nova/api/openstack/compute/servers.py _start_server,
// _stop_server, _action_reboot; pause_server.py, suspend_server.py; console_output.py), with nova/compute/api.py's guards in its
// order: @check_instance_lock (admins pass), @check_instance_host, @check_instance_state (vm
// states allowed, task state expected, launched_at set). The task state is claimed with one
// conditional UPDATE (Nova's instance.save(expected_task_state=…)), so of two racing requests one
// wins (202) and the other gets a 409; the instance action is recorded in the same transaction
// and the agent on the instance's host is told after commit.
import { ApiError } from '../../core/errors.js';
import { BusTimeoutError, RemoteError } from '../../bus/index.js';
import type { InstanceRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { enforce } from '../domain/policy.js';
import { INSTANCE_ACTION, recordInstanceAction } from '../domain/servers/instance-actions.js';
import { checkNotLocked, instanceInvalidState, instanceNotReady, instanceTarget, visibleInstance } from '../domain/servers/lookup.js';
import { checkInstanceState as checkState, claimTaskState, type ActionTransition } from '../domain/servers/task-claim.js';
import { COMPUTE_RPC_TOPIC } from '../rpc/compute-protocol.js';
import type { ComputeRouter, Ctx, Endpoint } from './router.js';
import { pyStr, validateBody, type Schema } from './validation.js';


type Transition = ActionTransition;

const STOP: Transition = { action: 'stop', vmStates: ['active', 'error'], fromTask: [null], toTask: 'powering-off', needsHost: true };
const START: Transition = { action: 'start', vmStates: ['stopped'], fromTask: [null], toTask: 'powering-on', needsHost: true };
const SOFT_REBOOT: Transition = { action: 'reboot', vmStates: ['active'], fromTask: [null], toTask: 'rebooting', needsHost: false };
// vm_states.ALLOW_HARD_REBOOT and task_states.ALLOW_REBOOT.
const HARD_REBOOT: Transition = {
  action: 'reboot', vmStates: ['active', 'stopped', 'paused', 'suspended', 'error'],
  fromTask: [null, 'rebooting', 'reboot_pending', 'reboot_started', 'resuming', 'rebooting_hard', 'unpausing', 'pausing', 'suspending'],
  toTask: 'rebooting_hard', needsHost: false,
};

// pause_server.py / suspend_server.py over compute/api.py pause, unpause, suspend, resume.
const PAUSE: Transition = { action: 'pause', vmStates: ['active'], fromTask: [null], toTask: 'pausing', needsHost: true };
const UNPAUSE: Transition = { action: 'unpause', vmStates: ['paused'], fromTask: [null], toTask: 'unpausing', needsHost: true };
const SUSPEND: Transition = { action: 'suspend', vmStates: ['active'], fromTask: [null], toTask: 'suspending', needsHost: true };
const RESUME: Transition = { action: 'resume', vmStates: ['suspended'], fromTask: [null], toTask: 'resuming', needsHost: true };

/**
 * Claims the task state if the row is still as checked, records the action; a lost race is
 * Nova's UnexpectedTaskStateError (409). Returns the host to tell.
 */
async function claim(ctx: Ctx, row: InstanceRow, t: Transition, actionName: string): Promise<string | null> {
  return inTransaction(ctx.deps.db, async (trx) => {
    await claimTaskState(trx, row.uuid, t, t.action === 'stop' ? { progress: 0 } : {});
    await recordInstanceAction(trx, {
      action: actionName, instanceUuid: row.uuid, requestId: ctx.caller.requestId, userId: ctx.caller.userId, projectId: ctx.caller.projectId,
    });
    return row.host;
  });
}

async function castToHost(ctx: Ctx, host: string | null, method: string, args: Record<string, unknown>): Promise<void> {
  if (ctx.deps.bus === undefined || !host) return;
  await ctx.deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host }, method, args);
}

async function powerAction(ctx: Ctx, t: Transition, rule: string, actionName: string, rpc: string, extra: Record<string, unknown> = {}): Promise<void> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, rule, instanceTarget(row));
  checkNotLocked(ctx.caller, row);
  checkState(row, t);
  const host = await claim(ctx, row, t, actionName);
  await castToHost(ctx, host, rpc, { uuid: row.uuid, request_id: ctx.caller.requestId, ...extra });
}

// compute/api.py trigger_crash_dump: no task state, the guest must be running.
const CRASH_DUMP_VM_STATES = ['active', 'paused', 'rescued', 'resized', 'error'];
const POWER_RUNNING = 1;

async function triggerCrashDump(ctx: Ctx): Promise<void> {
  validateBody(ctx.body, { type: 'object', properties: { trigger_crash_dump: { type: 'null' } }, required: ['trigger_crash_dump'], additionalProperties: false });
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:servers:trigger_crash_dump', instanceTarget(row));
  checkNotLocked(ctx.caller, row);
  if (!row.host) throw instanceNotReady(row.uuid);
  if (!CRASH_DUMP_VM_STATES.includes(row.vm_state)) throw instanceInvalidState(row.uuid, 'trigger_crash_dump', 'vm_state', row.vm_state);
  if (row.task_state !== null) throw instanceInvalidState(row.uuid, 'trigger_crash_dump', 'task_state', row.task_state);
  if (row.power_state !== POWER_RUNNING) throw new ApiError(409, `Instance ${row.uuid} is not running.`, 'InstanceNotRunning');
  await inTransaction(ctx.deps.db, (trx) => recordInstanceAction(trx, {
    action: INSTANCE_ACTION.TRIGGER_CRASH_DUMP, instanceUuid: row.uuid, requestId: ctx.caller.requestId, userId: ctx.caller.userId, projectId: ctx.caller.projectId,
  }));
  await castToHost(ctx, row.host, 'trigger_crash_dump', { uuid: row.uuid, request_id: ctx.caller.requestId });
}

const REBOOT: Schema = {
  type: 'object',
  properties: {
    reboot: {
      type: 'object',
      properties: { type: { type: 'string', enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] } },
      required: ['type'],
      additionalProperties: false,
    },
  },
  required: ['reboot'],
  additionalProperties: false,
};

const CONSOLE_OUTPUT: Schema = {
  type: 'object',
  properties: {
    'os-getConsoleOutput': {
      type: 'object',
      properties: { length: { type: ['integer', 'string', 'null'], pattern: /^-?[0-9]+$/, minimum: -1 } },
      additionalProperties: false,
    },
  },
  required: ['os-getConsoleOutput'],
  additionalProperties: false,
};

/** Lines wanted: undefined = all (null or -1). A string below -1 passes Nova's schema; refused here. */
function consoleLength(raw: unknown): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < -1) {
    throw new ApiError(400, `Invalid input for field/attribute length. Value: ${pyStr(raw)}. ${pyStr(raw)} is less than the minimum of -1`);
  }
  return n === -1 ? undefined : n;
}

/** The agent reads a local file: an answer later than this means it is not there (Nova: InstanceNotReady). */
const CONSOLE_TIMEOUT_MS = 30_000;

// What XML could not carry; Nova strips it from every answer.
const CONTROL = /[\x00-\x08\x0B-\x1F]/g;

async function consoleOutput(ctx: Ctx): Promise<{ output: string }> {
  const body = validateBody<{ 'os-getConsoleOutput': { length?: number | string | null } }>(ctx.body, CONSOLE_OUTPUT);
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-console-output', { project_id: row.project_id });
  const length = consoleLength(body['os-getConsoleOutput'].length);
  if (!row.host || !['active', 'stopped', 'error'].includes(row.vm_state) || ctx.deps.bus === undefined) throw instanceNotReady(row.uuid);
  let answer: unknown;
  try {
    answer = await ctx.deps.bus.call({ topic: COMPUTE_RPC_TOPIC, host: row.host }, 'get_console_output',
      { uuid: row.uuid, ...(length !== undefined ? { length } : {}) }, { timeoutMs: CONSOLE_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof RemoteError && err.remoteName === 'InstanceNotFound') throw new ApiError(404, `Instance ${row.uuid} could not be found.`, 'InstanceNotFound');
    if (err instanceof RemoteError && err.remoteName === 'ConsoleNotAvailable') throw new ApiError(404, 'Guest does not have a console available.', 'ConsoleNotAvailable');
    if (err instanceof BusTimeoutError || err instanceof RemoteError) throw instanceNotReady(row.uuid);
    throw err;
  }
  const output = (answer as { output?: unknown } | null)?.output;
  return { output: typeof output === 'string' ? output.replace(CONTROL, '') : '' };
}

/** The actions this module serves, for a router that merges every server action on one path. */
export const SERVER_POWER_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  'os-stop': [{
    status: 202,
    handler: async (ctx) => powerAction(ctx, STOP, 'os_compute_api:servers:stop', INSTANCE_ACTION.STOP, 'stop_instance'),
  }],
  'os-start': [{
    status: 202,
    handler: async (ctx) => powerAction(ctx, START, 'os_compute_api:servers:start', INSTANCE_ACTION.START, 'start_instance'),
  }],
  reboot: [{
    status: 202,
    handler: async (ctx) => {
      const body = validateBody<{ reboot: { type: string } }>(ctx.body, REBOOT);
      const type = body.reboot.type.toUpperCase() as 'SOFT' | 'HARD';
      await powerAction(ctx, type === 'SOFT' ? SOFT_REBOOT : HARD_REBOOT, 'os_compute_api:servers:reboot', INSTANCE_ACTION.REBOOT,
        'reboot_instance', { reboot_type: type });
    },
  }],
  'os-getConsoleOutput': [{ handler: consoleOutput }],
  trigger_crash_dump: [{ min: '2.17', status: 202, handler: triggerCrashDump }],
  pause: [{
    status: 202,
    handler: async (ctx) => powerAction(ctx, PAUSE, 'os_compute_api:os-pause-server:pause', INSTANCE_ACTION.PAUSE, 'pause_instance'),
  }],
  unpause: [{
    status: 202,
    handler: async (ctx) => powerAction(ctx, UNPAUSE, 'os_compute_api:os-pause-server:unpause', INSTANCE_ACTION.UNPAUSE, 'unpause_instance'),
  }],
  suspend: [{
    status: 202,
    handler: async (ctx) => powerAction(ctx, SUSPEND, 'os_compute_api:os-suspend-server:suspend', INSTANCE_ACTION.SUSPEND, 'suspend_instance'),
  }],
  resume: [{
    status: 202,
    handler: async (ctx) => powerAction(ctx, RESUME, 'os_compute_api:os-suspend-server:resume', INSTANCE_ACTION.RESUME, 'resume_instance'),
  }],
};

/** POST /servers/{id}/action; `more` adds other modules' actions (one route serves them all). */
export function registerServerActionRoutes(router: ComputeRouter, more: Readonly<Record<string, readonly Endpoint[]>> = {}): void {
  router.actions('/servers/:server_id/action', { ...SERVER_POWER_ACTIONS, ...more });
}
