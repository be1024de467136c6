// The server side of Neutron's agent state reports (topic `q-reports-plugin`, method
// `report_state`): agents on every host call it periodically with their `agent_state`. The bus is
// a trust boundary, so the report is parsed before it touches the database.
import type { Bus, BusArgs, Server } from '../../bus/index.js';
import type { NetworkDeps } from '../api/deps.js';
import { reportAgentState, type AgentReport } from '../domain/agents/agents.js';

export const REPORTS_TOPIC = 'q-reports-plugin';

const NAME = /^[\w.:@ /-]{1,255}$/;

function text(state: Record<string, unknown>, key: string): string {
  const v = state[key];
  if (typeof v !== 'string' || !NAME.test(v)) throw new Error(`report_state: ${key} must be a short name`);
  return v;
}

function object(state: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = state[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`report_state: ${key} must be an object`);
  return v as Record<string, unknown>;
}

/** Parses the `agent_state` argument of report_state; throws on anything malformed. */
export function parseAgentReport(args: BusArgs): AgentReport {
  const state = args.agent_state;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new Error('report_state: agent_state must be an object');
  const s = state as Record<string, unknown>;
  const zone = s.availability_zone;
  const load = s.load;
  const configurations = object(s, 'configurations');
  const resourceVersions = object(s, 'resource_versions');
  return {
    agent_type: text(s, 'agent_type'), binary: text(s, 'binary'), topic: text(s, 'topic'), host: text(s, 'host'),
    ...(typeof zone === 'string' && NAME.test(zone) ? { availability_zone: zone } : {}),
    ...(configurations ? { configurations } : {}),
    ...(resourceVersions ? { resource_versions: resourceVersions } : {}),
    ...(typeof load === 'number' && Number.isInteger(load) && load >= 0 ? { load } : {}),
    ...(args.start_flag === true || s.start_flag === true ? { start_flag: true } : {}),
  };
}

/** Serves report_state on the bus for this network API process. */
export function serveAgentReports(bus: Bus, deps: NetworkDeps, host: string): Promise<Server> {
  return bus.serve(REPORTS_TOPIC, host, {
    report_state: async (args) => {
      const row = await reportAgentState(deps.db, parseAgentReport(args));
      return { id: row.id };
    },
  });
}
