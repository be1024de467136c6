// A conductor double for compute-agent tests, served on a bus: the instance methods an agent
// calls, with the real one's guards (instance_update honours the host and expected_task_state).
// Records every call and keeps each server's states as the real conductor would.
import { randomUUID } from 'node:crypto';
import type { Bus, BusArgs, Server } from '../../src/bus/index.js';

/** What the double keeps per server; a test may widen it (e.g. a typed network_info, request_id). */
export interface FakeServerState { vm_state: string; task_state: string | null; power_state: number; network_info: unknown[] }

export class FakeConductor<S extends FakeServerState = FakeServerState> {
  readonly calls: { method: string; args: Record<string, any> }[] = [];
  readonly servers = new Map<string, S>();
  /** What evacuations_from_host answers: servers evacuated away from the host (a test fills it). */
  readonly evacuations: { uuid: string; migration_uuid: string }[] = [];
  server: Server | undefined;

  /** `host`: the compute host whose instance_update calls are honoured. */
  constructor(private readonly host: string) {}

  called(method: string, pred: (args: Record<string, any>) => boolean = () => true): Record<string, any>[] {
    return this.calls.filter((c) => c.method === method && pred(c.args)).map((c) => c.args);
  }

  async serve(bus: Bus): Promise<void> {
    const record = (method: string, fn: (args: Record<string, any>) => unknown) => async (args: BusArgs) => {
      this.calls.push({ method, args: args as Record<string, any> });
      return fn(args as Record<string, any>);
    };
    this.server = await bus.serve('conductor', 'fake-conductor', {
      service_update: record('service_update', () => ({ id: 1, uuid: randomUUID(), disabled: false, disabled_reason: null, forced_down: false })),
      compute_node_update: record('compute_node_update', (a) => ({ id: 1, uuid: a.uuid })),
      instance_update: record('instance_update', (a) => {
        const s = this.servers.get(a.uuid);
        if (!s || a.host !== this.host || (a.expected_task_state !== undefined && !a.expected_task_state.includes(s.task_state))) {
          return { updated: false, vm_state: s?.vm_state ?? null, task_state: s?.task_state ?? null, deleted: !s };
        }
        Object.assign(s, a.updates);
        return { updated: true, vm_state: s.vm_state, task_state: s.task_state, deleted: false };
      }),
      instance_info_cache_update: record('instance_info_cache_update', (a) => {
        const s = this.servers.get(a.uuid);
        if (s) s.network_info = a.network_info;
        return {};
      }),
      instance_fault_create: record('instance_fault_create', () => ({})),
      action_event_start: record('action_event_start', () => ({})),
      action_event_finish: record('action_event_finish', () => ({})),
      build_failed: record('build_failed', (a) => {
        const s = this.servers.get(a.uuid);
        if (s) Object.assign(s, { vm_state: 'error', task_state: null });
        return { rescheduled: false };
      }),
      instance_destroyed: record('instance_destroyed', (a) => { this.servers.delete(a.uuid); return {}; }),
      instances_on_host: record('instances_on_host', () => [...this.servers].map(([uuid, s]) => ({ uuid, ...s }))),
      evacuations_from_host: record('evacuations_from_host', () => [...this.evacuations]),
      evacuation_cleaned: record('evacuation_cleaned', (a) => {
        const i = this.evacuations.findIndex((e) => e.migration_uuid === a.migration_uuid);
        if (i >= 0) this.evacuations.splice(i, 1);
        return {};
      }),
      migration_status: record('migration_status', () => ({})),
    });
  }
}
