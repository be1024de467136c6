// /v3/OS-OAUTH1/consumers: OAuth1 consumer registration (admin-only).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { OAuthConsumerRow } from '../db/schema.js';
import { createConsumer, deleteConsumer, getConsumer, listConsumers, updateConsumer, type ConsumerInput } from '../domain/oauth-consumers.js';
import { requireMatchingId } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, selfLink, type Params } from './helpers.js';

const CONSUMER_FIELDS: BodySpec = { description: { check: nullable(isString({ max: 65535 })) } };

export function renderConsumer(request: FastifyRequest, c: OAuthConsumerRow, withSecret = false): Record<string, unknown> {
  return {
    ...parseJson(c.extra),
    id: c.id,
    description: c.description,
    ...(withSecret ? { secret: c.secret } : {}),
    links: selfLink(request, `OS-OAUTH1/consumers/${c.id}`),
  };
}

// Keystone would read a missing `consumer` as {} and create one; every client sends the key, and
// a body without it is far likelier a mistake than a request for an empty consumer.
function parseConsumer(body: unknown): ConsumerInput & { id?: unknown; secret?: unknown } {
  const { fields, extra } = parseBody(body, 'consumer', CONSUMER_FIELDS, true);
  const { id, secret, links: _links, ...rest } = extra;
  return { ...(fields as ConsumerInput), extra: rest, id, secret };
}

export function registerConsumerRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/OS-OAUTH1/consumers';

  app.get(base, async (request) => {
    await authorize(deps, request, 'identity:list_consumers');
    const rows = await listConsumers(deps.db);
    return collection(request, 'consumers', rows.map((c) => renderConsumer(request, c)));
  });

  app.post(base, async (request, reply) => {
    await authorize(deps, request, 'identity:create_consumer');
    const { id: _id, secret: _secret, ...input } = parseConsumer(request.body);
    const row = await createConsumer(deps, input);
    reply.code(201);
    return { consumer: renderConsumer(request, row, true) };
  });

  app.get(`${base}/:consumer_id`, async (request) => {
    const { consumer_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_consumer');
    return { consumer: renderConsumer(request, await getConsumer(deps.db, consumer_id!)) };
  });

  app.patch(`${base}/:consumer_id`, async (request) => {
    const { consumer_id } = request.params as Params;
    await authorize(deps, request, 'identity:update_consumer');
    const { id, secret, ...input } = parseConsumer(request.body);
    if (secret !== undefined) throw badRequest('Cannot change consumer secret');
    requireMatchingId({ id }, consumer_id!);
    return { consumer: renderConsumer(request, await updateConsumer(deps, consumer_id!, input)) };
  });

  app.delete(`${base}/:consumer_id`, async (request, reply) => {
    const { consumer_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_consumer');
    await deleteConsumer(deps, consumer_id!);
    reply.code(204).send();
  });
}
