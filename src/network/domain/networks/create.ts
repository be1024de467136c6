// POST /v2.0/networks: attribute checks and policy, then one transaction writing the network,
// its segments (ML2 type manager), the wildcard RBAC grants behind `shared` and
// `router:external`, and its tags.
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate } from '../../api/attributes.js';
import type { NetworkRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import type { SegmentRequest } from '../../ml2/ml2.js';
import { validateZoneHints } from '../agents/zones.js';
import type { Caller } from '../caller.js';
import { invalidInput } from '../errors.js';
import { notify } from '../notify.js';
import { enforce, enforceAttributes } from '../policy.js';
import { assertQuota } from '../quota.js';
import { newStandard } from '../standard-attrs.js';
import { EXTERNAL, SHARED } from './access.js';
import { NETWORK_ATTRS, PROVIDER_ATTRS } from './attributes.js';
import { networkView, policed } from './render.js';
import { assertCanBeDefault, insertGrant } from './sharing.js';
import { ApiError } from '../../../core/errors.js';

export function qosPolicyNotFound(id: string): ApiError {
  return new ApiError(404, `QoS policy ${id} could not be found.`, 'QosPolicyNotFound');
}

/** provider:* or segments from the request, as ML2 reads them. */
export function segmentRequests(attrs: Record<string, unknown>, given: ReadonlySet<string>): SegmentRequest[] | undefined {
  const provider = PROVIDER_ATTRS.some((a) => given.has(a));
  if (provider && given.has('segments')) throw new ApiError(400, 'Segments and provider values cannot both be set.', 'SegmentsSetInConjunctionWithProviders');
  if (given.has('segments')) return attrs.segments as SegmentRequest[];
  if (!provider) return undefined;
  const type = attrs['provider:network_type'];
  return [{
    ...(typeof type === 'string' ? { network_type: type } : {}),
    physical_network: (attrs['provider:physical_network'] as string | null | undefined) ?? null,
    segmentation_id: (attrs['provider:segmentation_id'] as number | null | undefined) ?? null,
  }];
}

export async function createNetwork(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { attrs, given } = parseCreate(body, NETWORK_ATTRS, caller);
  const projectId = attrs.project_id as string;
  const target = { ...attrs, project_id: projectId, tenant_id: projectId };
  enforce(deps, caller, 'create_network', target);
  enforceAttributes(deps, caller, 'create_network', given, target);
  const requested = segmentRequests(attrs, given);
  if (attrs.qos_policy_id !== undefined && attrs.qos_policy_id !== null) throw qosPolicyNotFound(attrs.qos_policy_id as string);
  if (attrs.is_default === true && attrs['router:external'] !== true) {
    throw invalidInput('Unable to set is_default on a network that is not external');
  }
  const hints = attrs.availability_zone_hints as string[];
  const net = deps.config.network;
  await validateZoneHints(deps.db, 'network', hints, net.agentDownTimeSeconds, net.defaultAvailabilityZones);
  const tags = [...new Set((attrs.tags as string[] | undefined) ?? [])].sort();

  // The MTU the segments will most likely give, so the common case writes the row once.
  const guess = requested?.map((r) => r.network_type ?? '') ?? [net.tenantNetworkTypes[0] ?? 'local'];
  const provisionalMtu = deps.ml2.networkMtu(guess.map((network_type) => ({ network_type, physical_network: null })));
  const { row, segments } = await inTransaction(deps.db, async (trx) => {
    await assertQuota(trx, deps.config, projectId, 'network');
    const network: NetworkRow = {
      id: crypto.randomUUID(), project_id: projectId, name: attrs.name as string, status: 'ACTIVE',
      admin_state_up: attrs.admin_state_up ? 1 : 0, is_external: attrs['router:external'] ? 1 : 0,
      mtu: provisionalMtu, port_security_enabled: attrs.port_security_enabled ? 1 : 0,
      availability_zone_hints: JSON.stringify(hints), dns_domain: attrs.dns_domain as string,
      vlan_transparent: attrs.vlan_transparent === undefined || attrs.vlan_transparent === null ? null : attrs.vlan_transparent ? 1 : 0,
      ...newStandard(attrs.description),
    };
    if (attrs.is_default === true) {
      await assertCanBeDefault(trx, network.id);
      network.is_default = 1;
    }
    await trx.insertInto('net_network').values(network).execute();
    const segs = await deps.ml2.createSegments(trx, network.id, requested);
    const maxMtu = deps.ml2.networkMtu(segs);
    const wanted = attrs.mtu as number | undefined;
    if (wanted !== undefined && wanted > maxMtu) throw invalidInput(`Requested MTU is too big, maximum is ${maxMtu}`);
    const mtu = wanted ?? maxMtu;
    if (mtu !== network.mtu) await trx.updateTable('net_network').set({ mtu }).where('id', '=', network.id).execute();
    if (attrs.shared) await insertGrant(trx, projectId, network.id, SHARED);
    if (attrs['router:external']) await insertGrant(trx, projectId, network.id, EXTERNAL);
    if (tags.length > 0) await trx.insertInto('net_tag').values(tags.map((tag) => ({ resource_type: 'networks', resource_id: network.id, tag }))).execute();
    const created = { ...network, mtu };
    await deps.ml2.precommit(trx, { resource: 'network', event: 'create', current: { ...created, segments: segs } });
    return { row: created, segments: segs };
  });
  // `shared` as the creator sees it: a wildcard grant reaches everyone.
  const item = policed(deps, caller, networkView(row, { segments, subnetIds: [], tags }, attrs.shared === true, net.defaultAvailabilityZones));
  notify(deps, 'network.create.end', { network: item });
  void deps.ml2.postcommit({ resource: 'network', event: 'create', current: item });
  return item;
}
