// os-aggregates (nova/api/openstack/compute/aggregates.py), admin only:
//   GET/POST /os-aggregates, GET/PUT/DELETE /os-aggregates/{id} (an integer id), and
//   POST /os-aggregates/{id}/action: add_host, remove_host, set_metadata. `uuid` shows from 2.41.
// Membership changes are mirrored into Placement as Nova's report client does (the aggregate's
// uuid among the aggregates of the host's resource providers), best effort.
import { badRequest } from '../../core/errors.js';
import {
  addAggregateHost, AZ_KEY, createAggregate, deleteAggregate, getAggregate, hostProviders, listAggregates,
  removeAggregateHost, setAggregateMetadata, updateAggregate, type Aggregate,
} from '../domain/aggregates.js';
import { invalidInput } from '../domain/errors.js';
import { enforce } from '../domain/policy.js';
import { novaDateTime } from './render.js';
import type { ComputeRouter, Ctx } from './router.js';
import { nameType, validateBody, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-aggregates:${action}`;

const azType: Schema = { type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: /^[^:]*$/ };
const hostType: Schema = { type: 'string', minLength: 1, maxLength: 255 };

const CREATE: Schema = {
  type: 'object',
  properties: {
    aggregate: {
      type: 'object', properties: { name: nameType, availability_zone: azType }, required: ['name'], additionalProperties: false,
    },
  },
  required: ['aggregate'], additionalProperties: false,
};
const UPDATE: Schema = {
  type: 'object',
  properties: {
    aggregate: {
      type: 'object', properties: { name: nameType, availability_zone: azType }, additionalProperties: false, minProperties: 1,
    },
  },
  required: ['aggregate'], additionalProperties: false,
};
const hostAction = (action: string): Schema => ({
  type: 'object',
  properties: { [action]: { type: 'object', properties: { host: hostType }, required: ['host'], additionalProperties: false } },
  required: [action], additionalProperties: false,
});
const ADD_HOST = hostAction('add_host');
const REMOVE_HOST = hostAction('remove_host');
const SET_METADATA: Schema = {
  type: 'object',
  properties: {
    set_metadata: {
      type: 'object',
      properties: {
        metadata: {
          type: 'object',
          patternProperties: [[/^[a-zA-Z0-9-_:. ]{1,255}$/, { type: ['string', 'null'], maxLength: 255 }]],
          additionalProperties: false,
        },
      },
      required: ['metadata'], additionalProperties: false,
    },
  },
  required: ['set_metadata'], additionalProperties: false,
};

function render(ctx: Ctx, a: Aggregate, full = true): Record<string, unknown> {
  const out: Record<string, unknown> = {
    availability_zone: a.metadata[AZ_KEY] ?? null,
    created_at: novaDateTime(a.created_at),
    deleted: false,
    deleted_at: null,
    id: a.id,
    name: a.name,
    // Nova shows null until the first change; the table keeps a creation-time updated_at.
    updated_at: novaDateTime(a.updated_at),
  };
  if (full) {
    out.hosts = a.hosts;
    out.metadata = a.metadata;
  }
  if (ctx.mv.atLeast('2.41')) out.uuid = a.uuid;
  return out;
}

function aggregateId(ctx: Ctx): number {
  const id = ctx.params.id!;
  if (!/^\s*[-+]?\d+\s*$/.test(id) || !Number.isSafeInteger(Number(id))) throw invalidInput('id must be an integer');
  return Number(id);
}

/** Placement's view of the host: its providers carry the uuids of the aggregates holding it. */
async function mirrorToPlacement(ctx: Ctx, host: string, aggregateUuid: string, member: boolean): Promise<void> {
  const placement = ctx.deps.clients?.placement;
  if (placement === undefined) return;
  for (const provider of await hostProviders(ctx.deps.db, host)) {
    try {
      const client = placement.withRequestId(ctx.request.id);
      const current = (await client.getProviderAggregates(provider)).aggregates;
      const next = member ? [...new Set([...current, aggregateUuid])] : current.filter((u) => u !== aggregateUuid);
      await client.setProviderAggregates(provider, next);
    } catch (err) {
      ctx.request.log.warn({ err, provider, aggregate: aggregateUuid }, 'could not mirror a host aggregate into Placement');
    }
  }
}

async function addHost(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ add_host: { host: string } }>(ctx.body, ADD_HOST);
  enforce(ctx.deps.policy, ctx.caller, RULE('add_host'), {});
  const aggregate = await addAggregateHost(ctx.deps.db, aggregateId(ctx), body.add_host.host);
  await mirrorToPlacement(ctx, body.add_host.host, aggregate.uuid, true);
  return { aggregate: render(ctx, aggregate) };
}

async function removeHost(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ remove_host: { host: string } }>(ctx.body, REMOVE_HOST);
  enforce(ctx.deps.policy, ctx.caller, RULE('remove_host'), {});
  const aggregate = await removeAggregateHost(ctx.deps.db, aggregateId(ctx), body.remove_host.host);
  await mirrorToPlacement(ctx, body.remove_host.host, aggregate.uuid, false);
  return { aggregate: render(ctx, aggregate) };
}

async function setMetadata(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ set_metadata: { metadata: Record<string, string | null> } }>(ctx.body, SET_METADATA);
  enforce(ctx.deps.policy, ctx.caller, RULE('set_metadata'), {});
  return { aggregate: render(ctx, await setAggregateMetadata(ctx.deps.db, aggregateId(ctx), body.set_metadata.metadata)) };
}

export function registerAggregateRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-aggregates', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, RULE('index'), {});
      return { aggregates: (await listAggregates(ctx.deps.db)).map((a) => render(ctx, a)) };
    },
  });
  router.route('POST', '/os-aggregates', {
    handler: async (ctx) => {
      const body = validateBody<{ aggregate: { name: string; availability_zone?: string | null } }>(ctx.body, CREATE);
      enforce(ctx.deps.policy, ctx.caller, RULE('create'), {});
      const { name, availability_zone: zone } = body.aggregate;
      if (zone !== undefined && zone !== null && zone === ctx.deps.compute.internalAvailabilityZone) {
        throw badRequest(`Aggregate ${name}: Action 'create_aggregate' cannot be performed on it: The availability zone name cannot be the internal zone.`, 'InvalidAggregateAction');
      }
      return { aggregate: render(ctx, await createAggregate(ctx.deps.db, name, zone), false) };
    },
  });
  router.route('GET', '/os-aggregates/:id', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, RULE('show'), {});
      return { aggregate: render(ctx, await getAggregate(ctx.deps.db, aggregateId(ctx))) };
    },
  });
  router.route('PUT', '/os-aggregates/:id', {
    handler: async (ctx) => {
      const body = validateBody<{ aggregate: { name?: string; availability_zone?: string | null } }>(ctx.body, UPDATE);
      enforce(ctx.deps.policy, ctx.caller, RULE('update'), {});
      return { aggregate: render(ctx, await updateAggregate(ctx.deps.db, aggregateId(ctx), body.aggregate)) };
    },
  });
  router.route('DELETE', '/os-aggregates/:id', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, RULE('delete'), {});
      await deleteAggregate(ctx.deps.db, aggregateId(ctx));
      return undefined;
    },
  });
  router.actions('/os-aggregates/:id/action', {
    add_host: [{ handler: addHost }],
    remove_host: [{ handler: removeHost }],
    set_metadata: [{ handler: setMetadata }],
  });
}
