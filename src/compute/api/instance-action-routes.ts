// os-instance-actions (nova/api/openstack/compute/instance_actions.py):
//   GET /servers/{id}/os-instance-actions           newest first; 2.58 adds updated_at, limit/marker
//                                                   (a request id) paging with `links` and
//                                                   changes-since; 2.66 changes-before
//   GET /servers/{id}/os-instance-actions/{req id}  one action; its events for callers the
//                                                   `events` policy allows (admin: with traceback,
//                                                   2.62 host) or, from 2.51, for everybody without
//                                                   traceback; 2.62 hostId; 2.84 details (policy)
// From 2.21 deleted servers' actions remain visible.
import { createHash } from 'node:crypto';
import { ApiError } from '../../core/errors.js';
import type { InstanceActionEventRow, InstanceActionRow, InstanceRow } from '../db/schema.js';
import { markerNotFound } from '../domain/errors.js';
import { allowed, enforce } from '../domain/policy.js';
import { instanceNotFound, loadInstance } from '../domain/servers/lookup.js';
import { novaDateTime } from './render.js';
import type { ComputeRouter, Ctx } from './router.js';
import { lastQueryValue, nonNegativeIntegerType, validateQuery, type Schema } from './validation.js';

const rule = (action: string): string => `os_compute_api:os-instance-actions:${action}`;

/** jsonschema's date-time format, checked as Nova does (timeutils.parse_isotime). */
function dateTime(name: string): Schema {
  return {
    type: 'string',
    format: (value) => (parseTime(value) === undefined ? `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'` : undefined),
  };
}

/** An ISO 8601 date-time (a zone-less one is UTC, as Nova reads it); undefined when malformed. */
function parseTime(value: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(Z|[+-]\d\d:?\d\d)?$/i.exec(value);
  if (m === null) return undefined;
  const zone = m[3] === undefined ? 'Z' : m[3].toUpperCase() === 'Z' ? 'Z' : m[3].replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

const QUERY_258: Record<string, Schema> = { limit: nonNegativeIntegerType, marker: { type: 'string' }, 'changes-since': dateTime('changes-since') };
const QUERY_266: Record<string, Schema> = { ...QUERY_258, 'changes-before': dateTime('changes-before') };

/** The server, deleted ones included from 2.21; another project's is a 404 unless admin. */
async function server(ctx: Ctx): Promise<InstanceRow> {
  const uuid = ctx.params.server_id!;
  const row = await loadInstance(ctx.deps.db, uuid, { readDeleted: ctx.mv.atLeast('2.21') });
  if (!row || (!ctx.caller.isAdmin && row.project_id !== ctx.caller.projectId)) throw instanceNotFound(uuid);
  return row;
}

function formatAction(a: InstanceActionRow, withUpdated: boolean): Record<string, unknown> {
  return {
    action: a.action, instance_uuid: a.instance_uuid, request_id: a.request_id, user_id: a.user_id, project_id: a.project_id,
    start_time: novaDateTime(a.start_time), message: a.message,
    ...(withUpdated ? { updated_at: novaDateTime(a.updated_at) } : {}),
  };
}

/** nova.utils.generate_hostid: sha224(project + host), '' without a host. */
export function hostId(host: string | null, projectId: string): string {
  return host ? createHash('sha224').update(`${projectId}${host}`, 'utf8').digest('hex') : '';
}

interface EventView { traceback: boolean; host: boolean; hostId: boolean; details: boolean }

function formatEvent(e: InstanceActionEventRow, projectId: string, show: EventView): Record<string, unknown> {
  return {
    event: e.event, start_time: novaDateTime(e.start_time), finish_time: novaDateTime(e.finish_time), result: e.result,
    ...(show.traceback ? { traceback: e.traceback } : {}),
    ...(show.host ? { host: e.host } : {}),
    ...(show.hostId ? { hostId: hostId(e.host, projectId) } : {}),
    ...(show.details ? { details: e.details } : {}),
  };
}

async function list(ctx: Ctx): Promise<unknown> {
  const paged = ctx.mv.atLeast('2.58');
  if (paged) validateQuery(ctx.query, ctx.mv.atLeast('2.66') ? QUERY_266 : QUERY_258, false);
  const row = await server(ctx);
  enforce(ctx.deps.policy, ctx.caller, rule('list'), { project_id: row.project_id });
  let actions = await ctx.deps.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', row.uuid)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  if (!paged) return { instanceActions: actions.map((a) => formatAction(a, false)) };

  const sinceText = lastQueryValue(ctx.query, 'changes-since');
  const beforeText = ctx.mv.atLeast('2.66') ? lastQueryValue(ctx.query, 'changes-before') : undefined;
  const since = sinceText === undefined ? undefined : parseTime(sinceText);
  const before = beforeText === undefined ? undefined : parseTime(beforeText);
  if (since !== undefined && before !== undefined && before < since) {
    throw new ApiError(400, 'The value of changes-since must be less than or equal to changes-before.');
  }
  const updated = (a: InstanceActionRow): number => parseTime(a.updated_at) ?? 0;
  if (since !== undefined) actions = actions.filter((a) => updated(a) >= since);
  if (before !== undefined) actions = actions.filter((a) => updated(a) <= before);

  const marker = lastQueryValue(ctx.query, 'marker');
  if (marker !== undefined) {
    const at = actions.findIndex((a) => a.request_id === marker);
    if (at < 0) throw markerNotFound(marker);
    actions = actions.slice(at + 1);
  }
  const limitText = lastQueryValue(ctx.query, 'limit');
  const limit = Math.min(ctx.deps.compute.maxLimit, limitText === undefined ? ctx.deps.compute.maxLimit : Number(limitText));
  actions = actions.slice(0, limit);
  const links = ctx.links.collection(`servers/${row.uuid}/os-instance-actions`, ctx.query, limit, actions.length, actions[actions.length - 1]?.request_id);
  return { instanceActions: actions.map((a) => formatAction(a, true)), ...(links.length > 0 ? { links } : {}) };
}

async function show(ctx: Ctx): Promise<unknown> {
  const row = await server(ctx);
  const target = { project_id: row.project_id };
  enforce(ctx.deps.policy, ctx.caller, rule('show'), target);
  const requestId = ctx.params.request_id!;
  const action = await ctx.deps.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', row.uuid)
    .where('request_id', '=', requestId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!action) throw new ApiError(404, `Action ${requestId} not found`);
  const view: Record<string, unknown> = formatAction(action, ctx.mv.atLeast('2.58'));

  const privileged = allowed(ctx.deps.policy, ctx.caller, rule('events'), target);
  if (privileged || ctx.mv.atLeast('2.51')) {
    const show: EventView = {
      traceback: privileged,
      host: privileged && ctx.mv.atLeast('2.62'),
      hostId: ctx.mv.atLeast('2.62'),
      details: ctx.mv.atLeast('2.84') && allowed(ctx.deps.policy, ctx.caller, rule('events:details'), target),
    };
    const events = await ctx.deps.db.selectFrom('nova_instance_action_event').selectAll().where('action_id', '=', action.id)
      .orderBy('start_time', 'desc').orderBy('id', 'desc').execute();
    view.events = events.map((e) => formatEvent(e, action.project_id || row.project_id, show));
  }
  return { instanceAction: view };
}

export function registerInstanceActionRoutes(router: ComputeRouter): void {
  router.route('GET', '/servers/:server_id/os-instance-actions', { handler: list });
  router.route('GET', '/servers/:server_id/os-instance-actions/:request_id', { handler: show });
}
