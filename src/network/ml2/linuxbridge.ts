// The linuxbridge mechanism driver (AgentMechanismDriverBase): a port binds on a host whose
// alive 'Linux bridge agent' can reach one of the network's segments — flat and vlan need the
// physnet in interface_mappings or bridge_mappings, tunnels need the type in tunnel_types.
import type { Kysely } from 'kysely';
import type { AgentRow, NetworkDb, SegmentRow } from '../db/schema.js';
import { aliveAgentsOn } from '../domain/agents/agents.js';
import type { MechanismDriver } from './mechanism.js';

export const LINUXBRIDGE_AGENT_TYPE = 'Linux bridge agent';

function configurations(agent: AgentRow): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(agent.configurations);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function keysOf(value: unknown): string[] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
}

/** check_segment_for_agent for linuxbridge. */
export function agentReachesSegment(agent: AgentRow, segment: Pick<SegmentRow, 'network_type' | 'physical_network'>): boolean {
  const conf = configurations(agent);
  const tunnelTypes = Array.isArray(conf.tunnel_types) ? conf.tunnel_types.filter((t): t is string => typeof t === 'string') : [];
  // An agent whose kernel cannot build the type says so (e.g. no 802.1Q): binding fails clearly there.
  const unsupported = Array.isArray(conf.unsupported_network_types) ? conf.unsupported_network_types : [];
  if (unsupported.includes(segment.network_type)) return false;
  switch (segment.network_type) {
    case 'local':
      return true;
    case 'flat':
    case 'vlan': {
      const physnets = [...keysOf(conf.interface_mappings), ...keysOf(conf.bridge_mappings)];
      return segment.physical_network !== null && physnets.includes(segment.physical_network);
    }
    default:
      return tunnelTypes.includes(segment.network_type);
  }
}

export function linuxbridgeDriver(agentDownTimeSeconds: number): MechanismDriver {
  return {
    name: 'linuxbridge',
    async bindPort(db: Kysely<NetworkDb>, port, segments) {
      const agents = await aliveAgentsOn(db, LINUXBRIDGE_AGENT_TYPE, port.binding_host_id, agentDownTimeSeconds);
      for (const agent of agents) {
        const segment = segments.find((s) => agentReachesSegment(agent, s));
        if (segment !== undefined) {
          return { vifType: 'bridge', vifDetails: { connectivity: 'l2', port_filter: true }, segmentId: segment.id };
        }
      }
      return undefined;
    },
  };
}
