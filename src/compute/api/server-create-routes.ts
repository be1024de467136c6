// POST /servers (nova/api/openstack/compute/servers.py ServersController.create): validate the
// body against the microversion's schema, check the create policies (forced host, networks,
// volumes, trusted certs, requested destination), hand the parsed request to the domain and
// answer 202 with the new server's id, links, disk config, security groups and adminPass — or
// {reservation_id} when return_reservation_id asks for it.
import { ApiError, badRequest } from '../../core/errors.js';
import { enforce } from '../domain/policy.js';
import { createServers, type BdmInput, type CreateServerInput } from '../domain/servers/create.js';
import type { NetworkRequestItem, NetworksInput } from '../domain/servers/create-networks.js';
import type { ComputeRouter, Ctx } from './router.js';
import { createSchema, isUuid, networksOneOfMessage, nonUniqueMessage } from './server-create-schema.js';
import { toBoolean, validateBody } from './validation.js';
import { storedAccessIp } from '../domain/servers/access-ip.js';

const RULE = (suffix = ''): string => `os_compute_api:servers:create${suffix}`;

interface ServerBody {
  name: string;
  description?: string | null;
  imageRef?: string;
  flavorRef: string | number;
  adminPass?: string;
  metadata?: Record<string, string>;
  networks?: 'auto' | 'none' | NetworkRequestItem[];
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  availability_zone?: string;
  block_device_mapping?: unknown[];
  block_device_mapping_v2?: BdmInput[];
  config_drive?: boolean | string;
  key_name?: string;
  min_count?: number | string;
  max_count?: number | string;
  return_reservation_id?: boolean | string;
  security_groups?: { name?: string }[];
  user_data?: string;
  personality?: unknown[];
  tags?: string[];
  trusted_image_certificates?: string[] | null;
  host?: string;
  hypervisor_hostname?: string;
  hostname?: string;
}

interface CreateBody {
  server: ServerBody;
  'os:scheduler_hints'?: Record<string, unknown>;
  'OS-SCH-HNT:scheduler_hints'?: Record<string, unknown>;
}

const asList = (v: unknown): string[] | undefined => v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];

/** Nova's _handle_availability_zone: "zone", "zone:host", "zone:host:node", ":host" … */
function splitZone(az: string | undefined): { zone: string | null; host: string | null; node: string | null } {
  if (az === undefined) return { zone: null, host: null, node: null };
  if (!az.includes(':')) return { zone: az, host: null, node: null };
  const parts = az.split(':');
  if (parts.length > 3) throw badRequest(`Invalid input received: Unable to parse availability_zone`, 'InvalidInput');
  const [zone = '', host = '', node = ''] = parts;
  return { zone: zone === '' ? null : zone, host: host === '' ? null : host, node: node === '' ? null : node };
}

function validate(ctx: Ctx): CreateBody {
  const raw = ctx.body as { server?: { networks?: unknown } } | null | undefined;
  const networks = raw !== null && typeof raw === 'object' && raw.server !== null && typeof raw.server === 'object' ? raw.server.networks : undefined;
  if (ctx.mv.atLeast('2.37') && networks !== undefined && typeof networks !== 'string' && !Array.isArray(networks)) {
    throw badRequest(networksOneOfMessage(networks));
  }
  const body = validateBody<CreateBody>(ctx.body, createSchema(ctx.mv, networks));
  for (const field of ['tags', 'trusted_image_certificates'] as const) {
    const list = body.server[field];
    if (Array.isArray(list)) {
      const refused = nonUniqueMessage(field, list);
      if (refused !== undefined) throw badRequest(refused);
    }
  }
  return body;
}

/** Nova's pre-2.37 network checks the schema does not make (uuid format, duplicate ports). */
function legacyNetworkChecks(networks: NetworkRequestItem[] | undefined): void {
  for (const n of networks ?? []) {
    if ((n.port === undefined || n.port === null) && n.uuid !== undefined && !isUuid(n.uuid)) {
      throw badRequest(`Bad networks format: network uuid is not in proper format (${n.uuid})`);
    }
  }
}

async function create(ctx: Ctx): Promise<unknown> {
  const body = validate(ctx);
  const s = body.server;
  const caller = ctx.caller;
  const { zone, host: forceHost, node: forceNode } = splitZone(s.availability_zone);
  const target = { project_id: caller.projectId, user_id: caller.userId, availability_zone: zone };
  enforce(ctx.deps.policy, caller, RULE(), target);
  if (forceHost !== null || forceNode !== null) enforce(ctx.deps.policy, caller, RULE(':forced_host'), target);

  const networks: NetworksInput = s.networks;
  if (Array.isArray(networks)) {
    if (!ctx.mv.atLeast('2.37')) legacyNetworkChecks(networks);
    if (networks.length > 0) enforce(ctx.deps.policy, caller, RULE(':attach_network'), target);
  }
  const legacy = s.block_device_mapping ?? [];
  const bdms = s.block_device_mapping_v2 ?? [];
  if (legacy.length > 0 && bdms.length > 0) throw badRequest('Using different block_device_mapping syntaxes is not allowed.');
  if (legacy.length > 0 || bdms.some((b) => b.destination_type === 'volume' || b.source_type === 'volume' || b.source_type === 'snapshot')) {
    enforce(ctx.deps.policy, caller, RULE(':attach_volume'), target);
    throw badRequest('Block device mappings with volumes are not supported: volumes come with the block storage service.');
  }
  if (s.trusted_image_certificates !== undefined && s.trusted_image_certificates !== null) {
    enforce(ctx.deps.policy, caller, RULE(':trusted_certs'), target);
  }
  if (s.host !== undefined || s.hypervisor_hostname !== undefined) enforce(ctx.deps.policy, caller, RULE(':requested_destination'), target);

  const minCount = Number(s.min_count ?? 1);
  const maxCount = Number(s.max_count ?? minCount);
  if (minCount > maxCount) throw badRequest('min_count must be <= max_count');
  const hints = body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {};
  const sameHost = asList(hints.same_host);
  const differentHost = asList(hints.different_host);
  const input: CreateServerInput = {
    name: s.name,
    description: s.description ?? null,
    flavorRef: String(s.flavorRef),
    imageRef: s.imageRef ?? '',
    adminPass: s.adminPass,
    metadata: s.metadata ?? {},
    networks,
    accessIPv4: s.accessIPv4 ? storedAccessIp(s.accessIPv4) : null,
    accessIPv6: s.accessIPv6 ? storedAccessIp(s.accessIPv6) : null,
    diskConfig: s['OS-DCF:diskConfig'] ?? 'MANUAL',
    availabilityZone: zone,
    forceHost, forceNode,
    requestedHost: s.host ?? null,
    requestedNode: s.hypervisor_hostname ?? null,
    bdms,
    configDrive: s.config_drive !== undefined && toBoolean(s.config_drive),
    keyName: s.key_name ?? null,
    minCount, maxCount,
    securityGroups: (s.security_groups ?? []).map((g) => g.name).filter((n): n is string => n !== undefined),
    userData: s.user_data ?? null,
    personalityFiles: s.personality?.length ?? 0,
    tags: s.tags ?? [],
    trustedCerts: s.trusted_image_certificates ?? null,
    hostname: s.hostname ?? null,
    hints: {
      ...(typeof hints.group === 'string' ? { group: hints.group } : {}),
      ...(sameHost !== undefined ? { same_host: sameHost } : {}),
      ...(differentHost !== undefined ? { different_host: differentHost } : {}),
    },
  };
  const created = await createServers(ctx.deps, caller, caller.auth.token, input);
  if (s.return_reservation_id !== undefined && toBoolean(s.return_reservation_id)) return { reservation_id: created.reservationId };
  const id = created.uuids[0];
  if (id === undefined) throw new ApiError(500, 'No server was created.');
  const links = ctx.links.resource('servers', id);
  ctx.reply.header('location', links[0]!.href);
  const groups = input.securityGroups.length > 0 ? [...new Set(input.securityGroups)] : ['default'];
  return {
    server: {
      id, links, 'OS-DCF:diskConfig': input.diskConfig,
      security_groups: groups.map((name) => ({ name })),
      adminPass: created.adminPass,
    },
  };
}

export function registerServerCreateRoutes(router: ComputeRouter): void {
  router.route('POST', '/servers', { status: 202, handler: create });
}
