// Availability zones (neutron.db.agents_db.AgentAvailabilityZoneMixin): the zones agents report,
// each listed per resource its agents serve — DHCP agents make 'network' zones, L3 agents
// 'router' zones — 'available' while one agent there is alive and administratively up.
import type { Kysely } from 'kysely';
import { ApiError } from '../../../core/errors.js';
import type { NetworkDb } from '../../db/schema.js';
import { isAgentAlive } from './agents.js';

export const ZONE_AGENT_TYPES: Readonly<Record<string, string>> = { 'DHCP agent': 'network', 'L3 agent': 'router' };

export interface AvailabilityZone {
  readonly name: string;
  readonly resource: string;
  readonly state: 'available' | 'unavailable';
}

export async function listZones(db: Kysely<NetworkDb>, downTimeSeconds: number, defaults: readonly string[]): Promise<AvailabilityZone[]> {
  const agents = await db.selectFrom('net_agent').select(['agent_type', 'availability_zone', 'admin_state_up', 'heartbeat_timestamp'])
    .where('agent_type', 'in', Object.keys(ZONE_AGENT_TYPES)).execute();
  const zones = new Map<string, AvailabilityZone>();
  for (const name of defaults) {
    for (const resource of ['network', 'router']) zones.set(`${resource}|${name}`, { name, resource, state: 'available' });
  }
  for (const agent of agents) {
    const resource = ZONE_AGENT_TYPES[agent.agent_type];
    if (resource === undefined || agent.availability_zone === null || agent.availability_zone === '') continue;
    const key = `${resource}|${agent.availability_zone}`;
    const up = agent.admin_state_up === 1 && isAgentAlive(agent, downTimeSeconds);
    const known = zones.get(key);
    if (known === undefined || (up && known.state !== 'available')) {
      zones.set(key, { name: agent.availability_zone, resource, state: up ? 'available' : 'unavailable' });
    }
  }
  return [...zones.values()].sort((a, b) => a.name.localeCompare(b.name) || a.resource.localeCompare(b.resource));
}

/** validate_availability_zones: every hint must be a zone of that resource. */
export async function validateZoneHints(db: Kysely<NetworkDb>, resource: string, hints: readonly string[], downTimeSeconds: number, defaults: readonly string[]): Promise<void> {
  if (hints.length === 0) return;
  const known = new Set((await listZones(db, downTimeSeconds, defaults)).filter((z) => z.resource === resource).map((z) => z.name));
  for (const hint of hints) {
    if (!known.has(hint)) throw new ApiError(404, `AvailabilityZone ${hint} could not be found.`, 'AvailabilityZoneNotFound');
  }
}
