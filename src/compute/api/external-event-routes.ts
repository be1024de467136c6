// POST /os-server-external-events (nova/api/openstack/compute/server_external_events.py): the
// network service (with service credentials) tells Nova about ports — network-vif-plugged when
// the L2 agent wired a port, network-changed, … Each event gets its own code: 200 accepted, 404
// unknown server, 422 server not on a host yet, 400 a tag-requiring event without tag. The answer
// is 200 when all were accepted, 207 when some were not, 404 when none was. Accepted events go,
// grouped by host, to the agents (external_instance_event); network-changed also refreshes the
// server's info cache from the network service in the background.
import type { FastifyBaseLogger } from 'fastify';
import { ApiError } from '../../core/errors.js';
import { enforce } from '../domain/policy.js';
import { refreshInfoCache } from '../domain/servers/vif-info.js';
import { COMPUTE_RPC_TOPIC, type InstanceEvent } from '../rpc/compute-protocol.js';
import type { ComputeDeps } from './deps.js';
import type { ComputeRouter, Ctx } from './router.js';
import { validateBody, type Schema } from './validation.js';

const BASE_NAMES = ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted'];
/** The event names each microversion added. */
const NAMES_SINCE: readonly (readonly [string, string])[] = [
  ['2.51', 'volume-extended'], ['2.76', 'power-update'], ['2.82', 'accelerator-request-bound'], ['2.93', 'volume-reimaged'],
];
const TAG_REQUIRED = new Set(['volume-extended', 'power-update', 'accelerator-request-bound', 'volume-reimaged']);
const STATUSES = ['failed', 'completed', 'in-progress'];

/** oslo's uuidutils.is_uuid_like: 32 hex digits, dashes/braces/urn prefix optional. */
function uuidFormat(value: string): string | undefined {
  const bare = value.toLowerCase().replace(/^urn:/, '').replace(/^uuid:/, '').replace(/[{}-]/g, '');
  return /^[0-9a-f]{32}$/.test(bare) ? undefined : `Invalid input for field/attribute server_uuid. Value: ${value}. '${value}' is not a 'uuid'`;
}

function schemaFor(ctx: Ctx): Schema {
  const names = [...BASE_NAMES, ...NAMES_SINCE.filter(([mv]) => ctx.mv.atLeast(mv)).map(([, name]) => name)];
  return {
    type: 'object',
    properties: {
      events: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            server_uuid: { type: 'string', format: uuidFormat },
            name: { type: 'string', enum: names },
            status: { type: 'string', enum: STATUSES },
            tag: { type: 'string', maxLength: 255 },
          },
          required: ['server_uuid', 'name'],
          additionalProperties: false,
        },
      },
    },
    required: ['events'],
    additionalProperties: false,
  };
}

interface BodyEvent { server_uuid: string; name: string; status?: string; tag?: string }
type ResponseEvent = BodyEvent & { status: string; code: number };

// Background info cache refreshes, so tests (and shutdown) can wait for them.
const refreshes = new Set<Promise<void>>();

/** Resolves when every info cache refresh started so far has finished. */
export async function infoCacheRefreshesSettled(): Promise<void> {
  while (refreshes.size > 0) await Promise.allSettled([...refreshes]);
}

function refreshInBackground(deps: ComputeDeps, log: FastifyBaseLogger, uuid: string): void {
  const p = refreshInfoCache(deps.db, deps.clients.network, uuid)
    .then(() => undefined, (err: unknown) => log.warn({ err, instance: uuid }, 'info cache refresh after network-changed failed'))
    .finally(() => refreshes.delete(p));
  refreshes.add(p);
}

async function create(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ events: BodyEvent[] }>(ctx.body, schemaFor(ctx));
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-server-external-events:create', {});

  const uuids = [...new Set(body.events.map((e) => e.server_uuid))];
  const rows = await ctx.deps.db.selectFrom('nova_instance').select(['uuid', 'host']).where('uuid', 'in', uuids).where('deleted', '=', 0).execute();
  const hostOf = new Map(rows.map((r) => [r.uuid, r.host]));

  const response: ResponseEvent[] = [];
  const byHost = new Map<string, InstanceEvent[]>();
  const changed = new Set<string>();
  let partial = false;
  for (const e of body.events) {
    const status = e.status ?? 'completed';
    const found = hostOf.has(e.server_uuid);
    const host = hostOf.get(e.server_uuid);
    let code = 200;
    if (!found) code = 404;
    else if (TAG_REQUIRED.has(e.name) && e.tag === undefined) code = 400;
    else if (!host) code = 422;
    if (code !== 200) {
      partial = true;
      response.push({ ...e, status: 'failed', code });
      continue;
    }
    response.push({ ...e, status, code });
    const event: InstanceEvent = { name: e.name, server_uuid: e.server_uuid, status, ...(e.tag !== undefined ? { tag: e.tag } : {}) };
    byHost.set(host!, [...(byHost.get(host!) ?? []), event]);
    if (e.name === 'network-changed') changed.add(e.server_uuid);
  }
  if (byHost.size === 0) throw new ApiError(404, 'No instances found for any event');

  for (const uuid of changed) refreshInBackground(ctx.deps, ctx.request.log, uuid);
  if (ctx.deps.bus !== undefined) {
    for (const [host, events] of byHost) await ctx.deps.bus.cast({ topic: COMPUTE_RPC_TOPIC, host }, 'external_instance_event', { events });
  }
  ctx.reply.code(partial ? 207 : 200);
  return { events: response };
}

export function registerExternalEventRoutes(router: ComputeRouter): void {
  router.route('POST', '/os-server-external-events', { handler: create });
}
