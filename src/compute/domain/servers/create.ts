// Server create (nova.compute.api.API.create): checks everything another service or the database
// can refuse, then writes all of a request's servers in ONE transaction (instances, request spec,
// block device mappings, metadata, tags, group membership, the `create` action) with the quota
// check inside it, and finally casts schedule_and_build_instances to the conductor.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { ApiError, badRequest, forbidden } from '../../../core/errors.js';
import type { ComputeDeps } from '../../api/deps.js';
import type { FlavorRow } from '../../db/schema.js';
import { inTransaction, nextId, nowIso, type ComputeTx } from '../../db/transaction.js';
import type { FlavorSnapshot, RequestedNetwork } from '../../rpc/compute-protocol.js';
import { splitZones, zonedServices } from '../availability-zones.js';
import type { Caller } from '../caller.js';
import { allowed } from '../policy.js';
import { extraSpecs, getFlavor } from '../flavors.js';
import { limitsFor, usages, type Limits } from '../quotas.js';
import { checkFlavorFitsImage, imageSpec, imageSystemMetadata, resolveImage } from './create-image.js';
import { checkSecurityGroups, resolveNetworks, type NetworksInput } from './create-networks.js';
import { INSTANCE_ACTION, recordInstanceAction } from './instance-actions.js';
import { sanitizeHostname } from './hostname.js';

/** A block_device_mapping_v2 item after validation (only local disks are served for now). */
export interface BdmInput {
  readonly source_type?: string;
  readonly destination_type?: string;
  readonly uuid?: string;
  readonly image_id?: string;
  readonly boot_index?: number | string | null;
  readonly guest_format?: string;
  readonly device_type?: string;
  readonly disk_bus?: string;
  readonly device_name?: string;
  readonly volume_size?: number | string;
  readonly delete_on_termination?: boolean | string;
  readonly tag?: string;
}

export interface CreateServerInput {
  readonly name: string;
  readonly description: string | null;
  readonly flavorRef: string;
  readonly imageRef: string;
  readonly adminPass: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly networks: NetworksInput;
  readonly accessIPv4: string | null;
  readonly accessIPv6: string | null;
  readonly diskConfig: 'AUTO' | 'MANUAL';
  /** The zone part of availability_zone ("zone:host:node" is split by the route). */
  readonly availabilityZone: string | null;
  readonly forceHost: string | null;
  readonly forceNode: string | null;
  /** 2.74 host / hypervisor_hostname. */
  readonly requestedHost: string | null;
  readonly requestedNode: string | null;
  readonly bdms: readonly BdmInput[];
  readonly configDrive: boolean;
  readonly keyName: string | null;
  readonly minCount: number;
  readonly maxCount: number;
  readonly securityGroups: readonly string[];
  readonly userData: string | null;
  readonly personalityFiles: number;
  readonly tags: readonly string[];
  readonly trustedCerts: readonly string[] | null;
  /** 2.90 hostname (single server only). */
  readonly hostname: string | null;
  readonly hints: { readonly group?: string; readonly same_host?: readonly string[]; readonly different_host?: readonly string[] };
}

export interface CreatedServers {
  readonly uuids: readonly string[];
  readonly reservationId: string;
  readonly adminPass: string;
}

// nova.utils.generate_password: no look-alike characters, one of each group first.
const PASSWORD_GROUPS = ['23456789', 'ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz'];

export function generatePassword(length = 12): string {
  const all = PASSWORD_GROUPS.join('');
  const chars = PASSWORD_GROUPS.map((g) => g[randomInt(g.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** Nova's reservation ids: r- and 8 characters of [a-z0-9]. */
function reservationId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `r-${[...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** The flavor a flavorRef (id or link) names, or 400 FlavorNotFound. */
export async function findFlavor(deps: ComputeDeps, caller: Caller, flavorRef: string): Promise<FlavorRow> {
  // A flavor link names the flavor by its last path segment (_flavor_id_from_req_data).
  const id = flavorRef.split('/').filter((p) => p !== '').pop() ?? flavorRef;
  try {
    const flavor = await getFlavor(deps.db, caller, id);
    if (flavor.disabled) throw badRequest('Invalid flavorRef provided.', 'FlavorNotFound');
    return flavor;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw badRequest('Invalid flavorRef provided.', 'FlavorNotFound');
    throw err;
  }
}

/** The image to boot: imageRef, or the boot_index 0 image BDM; volumes are not served yet. */
function bootImage(input: CreateServerInput): string {
  for (const bdm of input.bdms) {
    if (bdm.destination_type === 'volume' || bdm.source_type === 'volume' || bdm.source_type === 'snapshot') {
      throw badRequest('Block device mappings with volumes are not supported: volumes come with the block storage service.');
    }
  }
  const root = input.bdms.find((b) => String(b.boot_index ?? '') === '0');
  const bdmImage = root?.source_type === 'image' ? (root.uuid ?? root.image_id) : undefined;
  if (input.imageRef !== '') return input.imageRef;
  if (bdmImage !== undefined) return bdmImage;
  throw badRequest('Missing imageRef attribute');
}

async function checkZone(deps: ComputeDeps, zone: string | null): Promise<void> {
  if (zone === null || zone === '') return;
  const { available } = splitZones(await zonedServices(deps.db, deps.compute));
  if (zone === deps.compute.internalAvailabilityZone || !available.includes(zone)) {
    throw badRequest('The requested availability zone is not available', 'InvalidRequest');
  }
}

async function checkDestination(deps: ComputeDeps, host: string | null, node: string | null): Promise<void> {
  if (host !== null) {
    const svc = await deps.db.selectFrom('nova_service').select('id').where('host', '=', host).where('binary', '=', 'nova-compute').executeTakeFirst();
    if (svc === undefined) throw badRequest(`Compute host ${host} could not be found.`, 'ComputeHostNotFound');
  }
  if (node !== null) {
    let q = deps.db.selectFrom('nova_compute_node').select('id').where('hypervisor_hostname', '=', node);
    if (host !== null) q = q.where('host', '=', host);
    if (await q.executeTakeFirst() === undefined) {
      throw badRequest(host !== null ? `Compute host ${host} with node ${node} could not be found.` : `Compute host node ${node} could not be found.`, 'ComputeHostNotFound');
    }
  }
}

/** The public key of the caller's key pair (KeypairNotFound 400). */
export async function keyData(deps: ComputeDeps, caller: Caller, keyName: string | null): Promise<string | null> {
  if (keyName === null) return null;
  const row = await deps.db.selectFrom('nova_key_pair').select('public_key').where('user_id', '=', caller.userId).where('name', '=', keyName).executeTakeFirst();
  if (row === undefined) throw badRequest('Invalid key_name provided.', 'KeypairNotFound');
  return row.public_key;
}

async function serverGroup(deps: ComputeDeps, caller: Caller, uuid: string | undefined): Promise<number | null> {
  if (uuid === undefined) return null;
  let q = deps.db.selectFrom('nova_server_group').select('id').where('uuid', '=', uuid);
  if (!caller.isAdmin) q = q.where('project_id', '=', caller.projectId);
  const row = await q.executeTakeFirst();
  if (row === undefined) throw badRequest(`Instance group ${uuid} could not be found.`, 'InstanceGroupNotFound');
  return row.id;
}

const unlimited = (limit: number | undefined): boolean => limit === undefined || limit < 0;

/**
 * Nova's _check_num_instances_quota: how many of [min, max] fit the project's (and the user's)
 * instances/cores/ram; fewer than min → TooManyInstances 403 with Nova's message.
 */
async function fitCount(trx: ComputeTx, deps: ComputeDeps, caller: Caller, flavor: FlavorRow, min: number, max: number): Promise<number> {
  const per: Limits = { instances: 1, cores: flavor.vcpus, ram: flavor.memory_mb };
  const scopes: { limits: Limits; used: Limits }[] = [];
  for (const user of [undefined, caller.userId]) {
    scopes.push({ limits: await limitsFor(trx, deps.compute, caller.projectId, user), used: await usages(trx, caller.projectId, user) });
  }
  let allowed = max;
  const headroom: Limits = {};
  const quota: Limits = {};
  for (const { limits, used } of scopes) {
    for (const r of ['instances', 'cores', 'ram']) {
      if (unlimited(limits[r])) continue;
      const room = limits[r]! - (used[r] ?? 0);
      if (headroom[r] === undefined || room < headroom[r]!) { headroom[r] = room; quota[r] = limits[r]!; }
      if (per[r]! > 0) allowed = Math.min(allowed, Math.max(0, Math.floor(room / per[r]!)));
    }
  }
  if (allowed >= min) return allowed;
  const requested: Record<string, string> = {
    instances: min === max ? String(min) : `${min}-${max}`, cores: String(max * flavor.vcpus), ram: String(max * flavor.memory_mb),
  };
  const overs = ['cores', 'instances', 'ram'].filter((r) => headroom[r] !== undefined && max * per[r]! > headroom[r]!);
  if (overs.length === 0) overs.push('instances');
  const used = overs.map((r) => String((quota[r] ?? 0) - (headroom[r] ?? 0)));
  throw forbidden(
    `Quota exceeded for ${overs.join(', ')}: Requested ${overs.map((r) => requested[r]).join(', ')}, but already used ${used.join(', ')} of ${overs.map((r) => String(quota[r] ?? 0)).join(', ')} ${overs.join(', ')}`,
    'TooManyInstances',
  );
}

async function checkSmallQuotas(trx: ComputeTx, deps: ComputeDeps, caller: Caller, input: CreateServerInput, groupId: number | null, count: number): Promise<void> {
  const limits = await limitsFor(trx, deps.compute, caller.projectId, caller.userId);
  const metaLimit = limits.metadata_items;
  if (!unlimited(metaLimit) && Object.keys(input.metadata).length > metaLimit!) {
    throw forbidden(`Maximum number of metadata items exceeds ${metaLimit}`, 'MetadataLimitExceeded');
  }
  const fileLimit = limits.injected_files;
  if (!unlimited(fileLimit) && input.personalityFiles > fileLimit!) throw forbidden('Personality file limit exceeded', 'OnsetFileLimitExceeded');
  if (groupId !== null && !unlimited(limits.server_group_members)) {
    const row = await trx.selectFrom('nova_server_group_member').select((eb) => eb.fn.countAll<number | string>().as('n')).where('group_id', '=', groupId).executeTakeFirst();
    if (Number(row?.n ?? 0) + count > limits.server_group_members!) throw forbidden('Quota exceeded, too many servers in group', 'QuotaError');
  }
}

/** The flavor as a server keeps it (nova_instance.flavor). */
export function flavorSnapshot(flavor: FlavorRow, specs: Record<string, string>): FlavorSnapshot {
  return {
    id: flavor.id, flavorid: flavor.flavorid, name: flavor.name, memory_mb: flavor.memory_mb, vcpus: flavor.vcpus,
    root_gb: flavor.root_gb, ephemeral_gb: flavor.ephemeral_gb, swap: flavor.swap, rxtx_factor: flavor.rxtx_factor,
    description: flavor.description, extra_specs: specs,
  };
}

export async function createServers(deps: ComputeDeps, caller: Caller, token: string, input: CreateServerInput): Promise<CreatedServers> {
  if (input.minCount > input.maxCount) throw badRequest('min_count must be <= max_count');
  if (input.hostname !== null && input.maxCount > 1) {
    throw badRequest('Unable to set hostname when creating multiple instances.', 'AmbiguousHostnameForMultipleInstances');
  }
  const flavor = await findFlavor(deps, caller, input.flavorRef);
  // A zero-disk flavor would take the image's size unbounded: Nova keeps it to admins (volume-backed aside).
  if (flavor.root_gb === 0 && !allowed(deps.policy, caller, 'os_compute_api:servers:create:zero_disk_flavor', { project_id: caller.projectId, user_id: caller.userId })) {
    throw forbidden('Only volume-backed servers are allowed for flavors with zero disk.', 'OnlyVolumeBackedServersAllowed');
  }
  const imageId = bootImage(input);
  const image = await resolveImage(deps.clients.imageAs(token, caller.requestId), imageId);
  checkFlavorFitsImage(flavor, image);
  const key = await keyData(deps, caller, input.keyName);
  const network = deps.clients.networkAs(token, caller.requestId);
  const requestedNetworks: RequestedNetwork[] = await resolveNetworks(network, caller.projectId, input.networks, input.maxCount);
  await checkSecurityGroups(network, caller.projectId, input.securityGroups);
  await checkZone(deps, input.availabilityZone);
  await checkDestination(deps, input.requestedHost, input.requestedNode);
  const groupId = await serverGroup(deps, caller, input.hints.group);
  const adminPass = input.adminPass ?? generatePassword();
  const configDrive = input.configDrive || image.img_config_drive === 'mandatory';
  const systemMetadata = JSON.stringify({ ...imageSystemMetadata(image), ...(input.diskConfig === 'AUTO' ? { image_auto_disk_config: 'True' } : {}) });
  const resId = reservationId();

  const uuids = await inTransaction(deps.db, async (trx) => {
    const count = await fitCount(trx, deps, caller, flavor, input.minCount, input.maxCount);
    await checkSmallQuotas(trx, deps, caller, input, groupId, count);
    const specs = await extraSpecs(trx, flavor);
    const flavorSnap = flavorSnapshot(flavor, specs);
    const now = nowIso();
    const all = Array.from({ length: count }, () => randomUUID());
    for (const [index, uuid] of all.entries()) {
      const displayName = count > 1 ? `${input.name}-${index + 1}` : input.name;
      const hostname = input.hostname ?? sanitizeHostname(displayName, `Server-${uuid}`);
      await trx.insertInto('nova_instance').values({
        uuid, id: await nextId(trx, 'nova_instance'), project_id: caller.projectId, user_id: caller.userId,
        display_name: displayName, display_description: input.description, hostname,
        vm_state: 'building', task_state: 'scheduling', power_state: 0,
        host: null, node: null, compute_node_uuid: null, availability_zone: null, requested_availability_zone: input.availabilityZone,
        flavor: JSON.stringify(flavorSnap), vcpus: flavor.vcpus, memory_mb: flavor.memory_mb, root_gb: flavor.root_gb, ephemeral_gb: flavor.ephemeral_gb,
        image_ref: image.id, key_name: input.keyName, key_data: key, user_data: input.userData, config_drive: configDrive ? 'True' : '',
        access_ip_v4: input.accessIPv4, access_ip_v6: input.accessIPv6, locked: 0, locked_by: null, locked_reason: null,
        reservation_id: resId, launch_index: index, root_device_name: null, progress: 0, system_metadata: systemMetadata,
        created_at: now, updated_at: now, scheduled_at: null, launched_at: null, terminated_at: null, deleted: 0, deleted_at: null,
      }).execute();
      for (const [k, v] of Object.entries(input.metadata)) {
        await trx.insertInto('nova_instance_metadata').values({ instance_uuid: uuid, key: k, value: v }).execute();
      }
      for (const tag of new Set(input.tags)) await trx.insertInto('nova_instance_tag').values({ instance_uuid: uuid, tag }).execute();
      await insertBdms(trx, uuid, image.id, input.bdms, now);
      if (groupId !== null) await trx.insertInto('nova_server_group_member').values({ group_id: groupId, instance_uuid: uuid }).execute();
      await recordInstanceAction(trx, { action: INSTANCE_ACTION.CREATE, instanceUuid: uuid, requestId: caller.requestId, userId: caller.userId, projectId: caller.projectId });
    }
    const spec = {
      instance_uuids: all, num_instances: count, min_count: input.minCount, project_id: caller.projectId, user_id: caller.userId,
      flavor: flavorSnap, image: imageSpec(image), requested_networks: requestedNetworks,
      security_groups: input.securityGroups.length > 0 ? [...input.securityGroups] : ['default'],
      availability_zone: input.availabilityZone, force_host: input.forceHost, force_node: input.forceNode,
      requested_destination: input.requestedHost !== null || input.requestedNode !== null ? { host: input.requestedHost, node: input.requestedNode } : null,
      scheduler_hints: input.hints, config_drive: configDrive, key_name: input.keyName, key_data: key, user_data: input.userData,
      metadata: input.metadata, admin_password: adminPass, trusted_certs: input.trustedCerts, alternates: {}, attempts: {}, request_id: caller.requestId,
    };
    for (const uuid of all) {
      await trx.insertInto('nova_request_spec').values({ instance_uuid: uuid, spec: JSON.stringify(spec), created_at: now, updated_at: now }).execute();
    }
    return all;
  });

  if (deps.bus !== undefined) {
    await deps.bus.cast({ topic: 'conductor' }, 'schedule_and_build_instances', { instance_uuids: uuids, request_id: caller.requestId });
  }
  return { uuids, reservationId: resId, adminPass };
}

/** The root disk from the image, plus blank local disks (ephemeral/swap) the request named. */
async function insertBdms(trx: ComputeTx, uuid: string, imageId: string, bdms: readonly BdmInput[], now: string): Promise<void> {
  const base = {
    instance_uuid: uuid, guest_format: null, disk_bus: null, device_name: null, snapshot_id: null, volume_id: null,
    volume_size: null, no_device: 0, connection_info: null, tag: null, attachment_id: null, volume_type: null, created_at: now, updated_at: now,
  };
  const root = bdms.find((b) => String(b.boot_index ?? '') === '0');
  await trx.insertInto('nova_block_device_mapping').values({
    ...base, id: await nextId(trx, 'nova_block_device_mapping'), uuid: randomUUID(), source_type: 'image', destination_type: 'local',
    device_type: 'disk', boot_index: 0, delete_on_termination: 1, image_id: imageId,
    disk_bus: root?.disk_bus ?? null, device_name: root?.device_name ?? null, tag: root?.tag ?? null,
  }).execute();
  for (const b of bdms) {
    if (b === root || b.source_type !== 'blank') continue;
    await trx.insertInto('nova_block_device_mapping').values({
      ...base, id: await nextId(trx, 'nova_block_device_mapping'), uuid: randomUUID(), source_type: 'blank', destination_type: 'local',
      device_type: b.device_type ?? 'disk', boot_index: null, delete_on_termination: 1, image_id: null,
      guest_format: b.guest_format ?? null, disk_bus: b.disk_bus ?? null, device_name: b.device_name ?? null, tag: b.tag ?? null,
      volume_size: b.volume_size !== undefined ? Number(b.volume_size) : null,
    }).execute();
  }
}
