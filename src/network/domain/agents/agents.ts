// Agents (neutron.db.agents_db): each L2/L3/DHCP agent reports its state periodically; the row
// is keyed by (agent_type, host) and an agent is alive while its last heartbeat is younger than
// agent_down_time.
import type { Kysely } from 'kysely';
import type { AgentRow, NetworkDb } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { nowIso } from '../standard-attrs.js';

/** What an agent sends with report_state (Neutron's agent_state dict). */
export interface AgentReport {
  readonly agent_type: string;
  readonly binary: string;
  readonly topic: string;
  readonly host: string;
  readonly availability_zone?: string | null;
  readonly configurations?: Record<string, unknown>;
  readonly resource_versions?: Record<string, unknown>;
  readonly load?: number;
  /** Set by an agent that just (re)started: started_at is reset. */
  readonly start_flag?: boolean;
  readonly resources_synced?: boolean | null;
}

export function parseTimestamp(text: string): number {
  return Date.parse(text.endsWith('Z') ? text : `${text}Z`);
}

export function isAgentAlive(row: Pick<AgentRow, 'heartbeat_timestamp'>, downTimeSeconds: number, now = Date.now()): boolean {
  const beat = parseTimestamp(row.heartbeat_timestamp);
  return Number.isFinite(beat) && now - beat <= downTimeSeconds * 1000;
}

/** Neutron's agent timestamps: 'YYYY-MM-DD HH:MM:SS' without zone. */
export function agentTime(iso: string): string {
  return iso.replace('T', ' ').replace(/Z$/, '');
}

/**
 * report_state: create the agent on its first report, otherwise refresh its heartbeat,
 * configuration and load (admin_state_up and description stay as the admin set them).
 */
export async function reportAgentState(db: Kysely<NetworkDb>, report: AgentReport): Promise<AgentRow> {
  return inTransaction(db, async (trx) => {
    const now = nowIso();
    const existing = await trx.selectFrom('net_agent').selectAll()
      .where('agent_type', '=', report.agent_type).where('host', '=', report.host).executeTakeFirst();
    const common = {
      binary: report.binary, topic: report.topic, availability_zone: report.availability_zone ?? null,
      configurations: JSON.stringify(report.configurations ?? {}), resource_versions: JSON.stringify(report.resource_versions ?? {}),
      load: report.load ?? 0, heartbeat_timestamp: now,
      resources_synced: report.resources_synced === undefined || report.resources_synced === null ? null : report.resources_synced ? 1 : 0,
    };
    if (existing === undefined) {
      const row: AgentRow = {
        id: crypto.randomUUID(), agent_type: report.agent_type, host: report.host, admin_state_up: 1, description: null,
        created_at: now, started_at: now, ...common,
      };
      // A racing first report of the same agent hits the (agent_type, host) key: retried as an update.
      await trx.insertInto('net_agent').values(row).execute();
      return row;
    }
    const changes = { ...common, ...(report.start_flag ? { started_at: now } : {}) };
    await trx.updateTable('net_agent').set(changes).where('id', '=', existing.id).execute();
    return { ...existing, ...changes };
  });
}

/** Alive agents of one type on one host (port binding asks this). */
export async function aliveAgentsOn(db: Kysely<NetworkDb>, agentType: string, host: string, downTimeSeconds: number): Promise<AgentRow[]> {
  const rows = await db.selectFrom('net_agent').selectAll().where('agent_type', '=', agentType).where('host', '=', host).execute();
  return rows.filter((row) => isAgentAlive(row, downTimeSeconds));
}
