// /v2.0/agents (admin only): list, show, update (admin_state_up, description), delete. The
// rows are written by the agents themselves through reportAgentState.
import type { NetworkDeps } from '../../api/deps.js';
import { parseUpdate, type AttrMap } from '../../api/attributes.js';
import { boolean, nullable, string } from '../../api/validators.js';
import type { AgentRow } from '../../db/schema.js';
import { ApiError } from '../../../core/errors.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { allowed, enforce } from '../policy.js';
import { isPlausibleId } from '../networks/access.js';
import { agentTime, isAgentAlive } from './agents.js';

const AGENT_ATTRS: AttrMap = {
  admin_state_up: { put: true, validate: boolean },
  description: { put: true, validate: nullable(string(255)) },
};

export function agentNotFound(id: string): ApiError {
  return new ApiError(404, `Agent ${id} could not be found.`, 'AgentNotFound');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function renderAgent(row: AgentRow, downTimeSeconds: number): Record<string, unknown> {
  return {
    id: row.id, agent_type: row.agent_type, binary: row.binary, topic: row.topic, host: row.host,
    admin_state_up: row.admin_state_up === 1, alive: isAgentAlive(row, downTimeSeconds),
    availability_zone: row.availability_zone, description: row.description,
    configurations: parseJson(row.configurations), resource_versions: parseJson(row.resource_versions),
    created_at: agentTime(row.created_at), started_at: agentTime(row.started_at), heartbeat_timestamp: agentTime(row.heartbeat_timestamp),
    resources_synced: row.resources_synced === null ? null : row.resources_synced === 1,
  };
}

const TARGET = (caller: Caller) => ({ project_id: caller.projectId, tenant_id: caller.projectId });

async function findAgent(deps: NetworkDeps, caller: Caller, id: string): Promise<AgentRow> {
  if (!allowed(deps, caller, 'get_agent', TARGET(caller))) throw agentNotFound(id);
  const row = isPlausibleId(id) ? await deps.db.selectFrom('net_agent').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined) throw agentNotFound(id);
  return row;
}

export async function listAgents(deps: NetworkDeps, caller: Caller): Promise<Record<string, unknown>[]> {
  if (!allowed(deps, caller, 'get_agent', TARGET(caller))) return [];
  const rows = await deps.db.selectFrom('net_agent').selectAll().orderBy('host').orderBy('agent_type').execute();
  return rows.map((row) => renderAgent(row, deps.config.network.agentDownTimeSeconds));
}

export async function showAgent(deps: NetworkDeps, caller: Caller, id: string): Promise<Record<string, unknown>> {
  return renderAgent(await findAgent(deps, caller, id), deps.config.network.agentDownTimeSeconds);
}

export async function updateAgent(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const attrs = parseUpdate(body, AGENT_ATTRS);
  const row = await findAgent(deps, caller, id);
  enforce(deps, caller, 'update_agent', TARGET(caller));
  const changes: Partial<AgentRow> = {};
  if (typeof attrs.admin_state_up === 'boolean') changes.admin_state_up = attrs.admin_state_up ? 1 : 0;
  if ('description' in attrs) changes.description = attrs.description as string | null;
  if (Object.keys(changes).length > 0) await deps.db.updateTable('net_agent').set(changes).where('id', '=', id).execute();
  const item = renderAgent({ ...row, ...changes }, deps.config.network.agentDownTimeSeconds);
  notify(deps, 'agent.update.end', { agent: item });
  return item;
}

export async function deleteAgent(deps: NetworkDeps, caller: Caller, id: string): Promise<void> {
  await findAgent(deps, caller, id);
  enforce(deps, caller, 'delete_agent', TARGET(caller));
  await deps.db.deleteFrom('net_agent').where('id', '=', id).execute();
  notify(deps, 'agent.delete.end', { agent_id: id });
}
