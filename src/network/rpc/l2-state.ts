// get_l2_state: everything the Linux-bridge agent of one host wires — the ports bound there (VM
// ports, DHCP ports, router interfaces and gateways alike), their networks' first segments, the
// security groups of those ports with the members of every remote group and the address groups
// their rules use, and for VXLAN networks the other hosts' ports (l2population).
import type { Kysely } from 'kysely';
import type { NetworkDeps } from '../api/deps.js';
import type { NetworkDb, PortRow, SecurityGroupRuleRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { isAgentAlive } from '../domain/agents/agents.js';
import { loadPortChildren } from '../domain/ports/children.js';
import { LINUXBRIDGE_AGENT_TYPE } from '../ml2/linuxbridge.js';
import { tryParseIp, formatIp } from '../ipam/ip-address.js';
import type { FdbHost, L2State, RemotePortEntry, SecurityGroupInfo, SecurityGroupRule } from '../agents/common/state.js';
import { needsBinding, notifyPortUpdates, savePortIfChanged, withBinding } from './port-binding.js';
import { boundPort, loadNetworkInfos, plainAddress, unique } from './state-render.js';

/** Rule protocols as agents want them: null for any, lower-case names, or a number as text. */
export function normaliseProtocol(protocol: string | null): string | null {
  if (protocol === null) return null;
  const p = protocol.trim().toLowerCase();
  if (p === '' || p === 'any' || p === '0') return null;
  if (p === 'icmpv6') return 'ipv6-icmp';
  return /^0*\d{1,3}$/.test(p) ? String(Number(p)) : p;
}

function ruleInfo(row: SecurityGroupRuleRow): SecurityGroupRule {
  return {
    id: row.id,
    direction: row.direction === 'egress' ? 'egress' : 'ingress',
    ethertype: row.ethertype === 'IPv6' ? 'IPv6' : 'IPv4',
    protocol: normaliseProtocol(row.protocol),
    port_range_min: row.port_range_min,
    port_range_max: row.port_range_max,
    remote_ip_prefix: row.remote_ip_prefix,
    remote_group_id: row.remote_group_id,
    remote_address_group_id: row.remote_address_group_id,
  };
}

function parseConfigurations(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The tunnel endpoint an alive L2 agent reported, canonical; undefined when absent or malformed. */
export function tunnelIpOf(configurations: string): string | undefined {
  const value = parseConfigurations(configurations).tunneling_ip;
  const ip = typeof value === 'string' ? tryParseIp(value) : undefined;
  return ip === undefined ? undefined : formatIp(ip);
}

/**
 * Ports on this host that ML2 could not bind (no alive L2 agent then) are bound again now that
 * the host's agent asks for its state, as Neutron's get_device_details does.
 */
async function retryFailedBindings(deps: NetworkDeps, host: string, rows: PortRow[]): Promise<PortRow[]> {
  const failed = rows.filter((r) => needsBinding(r, host));
  if (failed.length === 0) return rows;
  const agent = await deps.db.selectFrom('net_agent').select('heartbeat_timestamp')
    .where('agent_type', '=', LINUXBRIDGE_AGENT_TYPE).where('host', '=', host).executeTakeFirst();
  if (agent === undefined || !isAgentAlive(agent, deps.config.network.agentDownTimeSeconds)) return rows;
  const changed = await inTransaction(deps.db, async (trx) => {
    const out: PortRow[] = [];
    for (const r of failed) {
      const current = await trx.selectFrom('net_port').selectAll().where('id', '=', r.id).where('binding_host_id', '=', host).executeTakeFirst();
      if (current === undefined) continue;
      const saved = await savePortIfChanged(trx, current, await withBinding(trx, deps, current, host));
      if (saved !== undefined) out.push(saved);
    }
    return out;
  });
  await notifyPortUpdates(deps, deps.db, changed);
  const byId = new Map(changed.map((r) => [r.id, r]));
  return rows.map((r) => byId.get(r.id) ?? r);
}

async function securityGroups(db: Kysely<NetworkDb>, groupIds: readonly string[]): Promise<{ groups: Record<string, SecurityGroupInfo>; rules: SecurityGroupRuleRow[] }> {
  const groups: Record<string, SecurityGroupInfo> = {};
  if (groupIds.length === 0) return { groups, rules: [] };
  const [rows, rules] = await Promise.all([
    db.selectFrom('net_security_group').select(['id', 'stateful']).where('id', 'in', [...groupIds]).execute(),
    db.selectFrom('net_security_group_rule').selectAll().where('security_group_id', 'in', [...groupIds]).orderBy('id').execute(),
  ]);
  for (const row of rows.sort((a, b) => (a.id < b.id ? -1 : 1))) {
    groups[row.id] = { id: row.id, stateful: row.stateful === 1, rules: rules.filter((r) => r.security_group_id === row.id).map(ruleInfo) };
  }
  return { groups, rules };
}

/** Every address of every port in each group (any host): fixed IPs and allowed address pairs. */
async function groupMembers(db: Kysely<NetworkDb>, groupIds: readonly string[]): Promise<Record<string, string[]>> {
  const members: Record<string, string[]> = {};
  if (groupIds.length === 0) return members;
  const memberPorts = db.selectFrom('net_port_security_group').select('port_id').where('security_group_id', 'in', [...groupIds]);
  const [links, ips, pairs] = await Promise.all([
    db.selectFrom('net_port_security_group').selectAll().where('security_group_id', 'in', [...groupIds]).execute(),
    db.selectFrom('net_ip_allocation').select(['port_id', 'ip_address']).where('port_id', 'in', memberPorts).execute(),
    db.selectFrom('net_port_address_pair').select(['port_id', 'ip_address']).where('port_id', 'in', memberPorts).execute(),
  ]);
  const addressesOf = new Map<string, string[]>();
  for (const row of [...ips, ...pairs.map((p) => ({ port_id: p.port_id, ip_address: plainAddress(p.ip_address) }))]) {
    addressesOf.set(row.port_id, [...(addressesOf.get(row.port_id) ?? []), row.ip_address]);
  }
  for (const id of groupIds) members[id] = [];
  for (const link of links) members[link.security_group_id]?.push(...(addressesOf.get(link.port_id) ?? []));
  for (const id of groupIds) members[id] = unique(members[id]!).sort();
  return members;
}

async function addressGroups(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (ids.length === 0) return out;
  for (const id of ids) out[id] = [];
  const rows = await db.selectFrom('net_address_group_address').selectAll().where('address_group_id', 'in', [...ids]).orderBy('address').execute();
  for (const row of rows) out[row.address_group_id]?.push(row.address);
  return out;
}

/** For each VXLAN network: the other hosts with ports on it, at the tunnel IP their L2 agent reported. */
async function forwardingEntries(deps: NetworkDeps, host: string, networkIds: readonly string[]): Promise<Record<string, FdbHost[]>> {
  const fdb: Record<string, FdbHost[]> = {};
  if (networkIds.length === 0) return fdb;
  const db = deps.db;
  const remote = db.selectFrom('net_port').where('network_id', 'in', [...networkIds])
    .where('binding_host_id', '!=', host).where('binding_host_id', '!=', '');
  const ports = await remote.select(['id', 'network_id', 'mac_address', 'binding_host_id']).orderBy('id').execute();
  for (const id of networkIds) fdb[id] = [];
  if (ports.length === 0) return fdb;
  const hosts = unique(ports.map((p) => p.binding_host_id));
  const agents = await db.selectFrom('net_agent').select(['host', 'configurations', 'heartbeat_timestamp'])
    .where('agent_type', '=', LINUXBRIDGE_AGENT_TYPE).where('host', 'in', hosts).execute();
  const tunnelIps = new Map<string, string>();
  for (const agent of agents) {
    const ip = isAgentAlive(agent, deps.config.network.agentDownTimeSeconds) ? tunnelIpOf(agent.configurations) : undefined;
    if (ip !== undefined) tunnelIps.set(agent.host, ip);
  }
  const remoteIds = remote.select('id');
  const [ips, pairs] = await Promise.all([
    db.selectFrom('net_ip_allocation').select(['port_id', 'ip_address']).where('port_id', 'in', remoteIds).execute(),
    db.selectFrom('net_port_address_pair').select(['port_id', 'ip_address', 'mac_address']).where('port_id', 'in', remoteIds).execute(),
  ]);
  const ipsOf = new Map<string, string[]>();
  for (const row of ips) ipsOf.set(row.port_id, [...(ipsOf.get(row.port_id) ?? []), row.ip_address]);
  const pairsOf = new Map<string, { ip: string; mac: string }[]>();
  for (const pair of pairs) {
    // Only single addresses can become ARP entries; a pair naming a whole prefix is left to flooding.
    const ip = plainAddress(pair.ip_address);
    if (tryParseIp(ip) !== undefined) pairsOf.set(pair.port_id, [...(pairsOf.get(pair.port_id) ?? []), { ip, mac: pair.mac_address }]);
  }
  const byNetworkHost = new Map<string, Map<string, RemotePortEntry[]>>();
  for (const port of ports) {
    if (!tunnelIps.has(port.binding_host_id)) continue;
    let perHost = byNetworkHost.get(port.network_id);
    if (perHost === undefined) byNetworkHost.set(port.network_id, (perHost = new Map()));
    const portPairs = pairsOf.get(port.id) ?? [];
    const entries: RemotePortEntry[] = [{
      mac_address: port.mac_address,
      ip_addresses: unique([...(ipsOf.get(port.id) ?? []), ...portPairs.filter((p) => p.mac === port.mac_address).map((p) => p.ip)]),
    }];
    // A pair with its own MAC is another station behind the port (a VRRP address, …).
    const otherMacs = unique(portPairs.filter((p) => p.mac !== port.mac_address).map((p) => p.mac));
    for (const mac of otherMacs) entries.push({ mac_address: mac, ip_addresses: unique(portPairs.filter((p) => p.mac === mac).map((p) => p.ip)) });
    perHost.set(port.binding_host_id, [...(perHost.get(port.binding_host_id) ?? []), ...entries]);
  }
  for (const [networkId, perHost] of byNetworkHost) {
    fdb[networkId] = [...perHost.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([h, entries]) => ({ host: h, tunnel_ip: tunnelIps.get(h)!, ports: entries }));
  }
  return fdb;
}

export async function getL2State(deps: NetworkDeps, host: string): Promise<L2State> {
  const db = deps.db;
  const rows = await retryFailedBindings(deps, host,
    await db.selectFrom('net_port').selectAll().where('binding_host_id', '=', host).orderBy('id').execute());
  const children = await loadPortChildren(db, rows.map((r) => r.id));
  const ports = rows.map((row) => boundPort(row, children.get(row.id)!));
  const networks = await loadNetworkInfos(db, unique(rows.map((r) => r.network_id)));

  const { groups, rules } = await securityGroups(db, unique(ports.flatMap((p) => p.security_group_ids)));
  const remoteGroups = unique(rules.flatMap((r) => (r.remote_group_id === null ? [] : [r.remote_group_id])));
  const usedAddressGroups = unique(rules.flatMap((r) => (r.remote_address_group_id === null ? [] : [r.remote_address_group_id])));
  const tunnelled = [...networks.values()].filter((n) => n.network_type === 'vxlan').map((n) => n.id);
  const [members, addrGroups, fdb] = await Promise.all([
    groupMembers(db, remoteGroups),
    addressGroups(db, usedAddressGroups),
    forwardingEntries(deps, host, tunnelled),
  ]);
  return {
    host,
    networks: [...networks.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    ports,
    security_groups: groups,
    security_group_members: members,
    address_groups: addrGroups,
    fdb,
  };
}
