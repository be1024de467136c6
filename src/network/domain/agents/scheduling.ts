// The agent schedulers (neutron.scheduler.dhcp_agent_scheduler / l3_agent_scheduler with the
// least-loaded policy): a network with DHCP-enabled subnets is served by exactly one alive DHCP
// agent, a router with a gateway or an interface is hosted by exactly one alive L3 agent. The
// binding tables' primary keys (network_id / router_id) are the race guard: two agents syncing
// at once both try to insert, one commits, the other's transaction is retried by inTransaction
// and then sees the winner's binding.
import type { Kysely } from 'kysely';
import type { AgentRow, NetworkDb } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { isAgentAlive } from './agents.js';

export const DHCP_AGENT_TYPE = 'DHCP agent';
export const L3_AGENT_TYPE = 'L3 agent';

export type SchedulerKind = 'dhcp' | 'l3';

export interface Binding { readonly resourceId: string; readonly agentId: string }

/** One binding table, behind the same small interface for networks and routers. */
interface BindingStore {
  readonly agentType: string;
  all(db: Kysely<NetworkDb>): Promise<Binding[]>;
  get(db: Kysely<NetworkDb>, resourceId: string): Promise<Binding | undefined>;
  ofAgent(db: Kysely<NetworkDb>, agentId: string): Promise<string[]>;
  /** Rows per agent id. */
  loads(db: Kysely<NetworkDb>): Promise<Map<string, number>>;
  insert(trx: NetworkTx, binding: Binding): Promise<void>;
  /** Removes the binding if it still names `agentId`; the number of rows removed. */
  remove(trx: NetworkTx, binding: Binding): Promise<number>;
  /**
   * Re-writes the binding onto itself when it still names `agentId`: on PostgreSQL this takes the
   * row's lock, serialising work on one resource between concurrent syncs. False when it moved.
   */
  lock(trx: NetworkTx, binding: Binding): Promise<boolean>;
}

function countMap(rows: readonly { agent_id: string; n: unknown }[]): Map<string, number> {
  return new Map(rows.map((r) => [r.agent_id, Number(r.n)]));
}

const dhcpStore: BindingStore = {
  agentType: DHCP_AGENT_TYPE,
  async all(db) {
    const rows = await db.selectFrom('net_network_dhcp_agent').selectAll().execute();
    return rows.map((r) => ({ resourceId: r.network_id, agentId: r.agent_id }));
  },
  async get(db, id) {
    const row = await db.selectFrom('net_network_dhcp_agent').selectAll().where('network_id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : { resourceId: row.network_id, agentId: row.agent_id };
  },
  async ofAgent(db, agentId) {
    const rows = await db.selectFrom('net_network_dhcp_agent').select('network_id').where('agent_id', '=', agentId).orderBy('network_id').execute();
    return rows.map((r) => r.network_id);
  },
  async loads(db) {
    return countMap(await db.selectFrom('net_network_dhcp_agent').select(['agent_id', (eb) => eb.fn.countAll().as('n')]).groupBy('agent_id').execute());
  },
  async insert(trx, b) {
    await trx.insertInto('net_network_dhcp_agent').values({ network_id: b.resourceId, agent_id: b.agentId }).execute();
  },
  async remove(trx, b) {
    const res = await trx.deleteFrom('net_network_dhcp_agent').where('network_id', '=', b.resourceId).where('agent_id', '=', b.agentId).executeTakeFirst();
    return Number(res.numDeletedRows);
  },
  async lock(trx, b) {
    const res = await trx.updateTable('net_network_dhcp_agent').set({ agent_id: b.agentId })
      .where('network_id', '=', b.resourceId).where('agent_id', '=', b.agentId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
};

const l3Store: BindingStore = {
  agentType: L3_AGENT_TYPE,
  async all(db) {
    const rows = await db.selectFrom('net_router_l3_agent').selectAll().execute();
    return rows.map((r) => ({ resourceId: r.router_id, agentId: r.agent_id }));
  },
  async get(db, id) {
    const row = await db.selectFrom('net_router_l3_agent').selectAll().where('router_id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : { resourceId: row.router_id, agentId: row.agent_id };
  },
  async ofAgent(db, agentId) {
    const rows = await db.selectFrom('net_router_l3_agent').select('router_id').where('agent_id', '=', agentId).orderBy('router_id').execute();
    return rows.map((r) => r.router_id);
  },
  async loads(db) {
    return countMap(await db.selectFrom('net_router_l3_agent').select(['agent_id', (eb) => eb.fn.countAll().as('n')]).groupBy('agent_id').execute());
  },
  async insert(trx, b) {
    await trx.insertInto('net_router_l3_agent').values({ router_id: b.resourceId, agent_id: b.agentId }).execute();
  },
  async remove(trx, b) {
    const res = await trx.deleteFrom('net_router_l3_agent').where('router_id', '=', b.resourceId).where('agent_id', '=', b.agentId).executeTakeFirst();
    return Number(res.numDeletedRows);
  },
  async lock(trx, b) {
    const res = await trx.updateTable('net_router_l3_agent').set({ agent_id: b.agentId })
      .where('router_id', '=', b.resourceId).where('agent_id', '=', b.agentId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
};

export function bindingStore(kind: SchedulerKind): BindingStore {
  return kind === 'dhcp' ? dhcpStore : l3Store;
}

/** Agents that may receive new work: alive and administratively up. */
export function isSchedulable(agent: AgentRow, downTimeSeconds: number, now = Date.now()): boolean {
  return agent.admin_state_up === 1 && isAgentAlive(agent, downTimeSeconds, now);
}

export async function agentsOfType(db: Kysely<NetworkDb>, agentType: string): Promise<AgentRow[]> {
  return db.selectFrom('net_agent').selectAll().where('agent_type', '=', agentType).execute();
}

export async function agentOnHost(db: Kysely<NetworkDb>, agentType: string, host: string): Promise<AgentRow | undefined> {
  return db.selectFrom('net_agent').selectAll().where('agent_type', '=', agentType).where('host', '=', host).executeTakeFirst();
}

/**
 * The least-loaded schedulable agent; ties go to `preferred` (the agent asking, so that it gets the
 * work at once instead of on another agent's next sync), then to the lower host name.
 */
export function pickLeastLoaded(agents: readonly AgentRow[], loads: ReadonlyMap<string, number>, preferredId?: string): AgentRow | undefined {
  let best: AgentRow | undefined;
  let bestKey: [number, number, string] | undefined;
  for (const agent of agents) {
    const key: [number, number, string] = [loads.get(agent.id) ?? 0, agent.id === preferredId ? 0 : 1, agent.host];
    if (bestKey === undefined || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
      best = agent;
      bestKey = key;
    }
  }
  return best;
}

export interface ScheduleEvent {
  readonly resourceId: string;
  readonly agent: AgentRow;
  /** The dead agent the resource was taken from, if any. */
  readonly previousAgentId?: string;
}

/**
 * Binds each of `resourceIds` that has no binding to an alive agent to the least-loaded
 * schedulable agent of the kind (one transaction per resource, so a race costs one retry).
 * `stillWanted` re-checks inside the transaction that the resource still needs an agent.
 */
export async function scheduleResources(
  db: Kysely<NetworkDb>, kind: SchedulerKind, resourceIds: readonly string[], downTimeSeconds: number,
  preferredAgentId: string | undefined, stillWanted: (trx: NetworkTx, id: string) => Promise<boolean>,
): Promise<ScheduleEvent[]> {
  const store = bindingStore(kind);
  const events: ScheduleEvent[] = [];
  for (const resourceId of resourceIds) {
    const event = await inTransaction(db, async (trx): Promise<ScheduleEvent | undefined> => {
      const now = Date.now();
      const agents = await agentsOfType(trx, store.agentType);
      const current = await store.get(trx, resourceId);
      const currentAgent = current === undefined ? undefined : agents.find((a) => a.id === current.agentId);
      if (currentAgent !== undefined && isAgentAlive(currentAgent, downTimeSeconds, now)) return undefined;
      if (!(await stillWanted(trx, resourceId))) return undefined;
      const target = pickLeastLoaded(agents.filter((a) => isSchedulable(a, downTimeSeconds, now)), await store.loads(trx), preferredAgentId);
      if (target === undefined) return undefined;
      // Removing the dead agent's row and inserting ours: a racer doing the same hits the
      // primary key on insert (or finds nothing to delete) and is retried.
      if (current !== undefined && (await store.remove(trx, current)) === 0) {
        throw Object.assign(new Error('binding moved'), { code: '40001' });
      }
      await store.insert(trx, { resourceId, agentId: target.id });
      return { resourceId, agent: target, ...(current !== undefined ? { previousAgentId: current.agentId } : {}) };
    });
    if (event !== undefined) events.push(event);
  }
  return events;
}

/** Resources among `wanted` whose binding is missing or names an agent that is not alive. */
export function unscheduled(wanted: readonly string[], bindings: readonly Binding[], agents: readonly AgentRow[], downTimeSeconds: number, now = Date.now()): string[] {
  const alive = new Set(agents.filter((a) => isAgentAlive(a, downTimeSeconds, now)).map((a) => a.id));
  const boundTo = new Map(bindings.map((b) => [b.resourceId, b.agentId]));
  return wanted.filter((id) => {
    const agentId = boundTo.get(id);
    return agentId === undefined || !alive.has(agentId);
  });
}
