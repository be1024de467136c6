// /v3/policies: the deprecated policy blob store (admin-only, stored but never enforced).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isString, parseBody, type BodySpec } from '../../core/validate.js';
import type { PolicyRow } from '../db/schema.js';
import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy, type PolicyInput } from '../domain/policy-blobs.js';
import { requireMatchingId, requireSomeField } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const POLICY_FIELDS: BodySpec = {
  type: { check: isString({ min: 0, max: 255 }) },
  blob: { check: isString({ max: 65535 }) },
};

export function renderPolicy(request: FastifyRequest, p: PolicyRow): Record<string, unknown> {
  return { ...parseJson(p.extra), id: p.id, type: p.type, blob: p.blob, links: selfLink(request, `policies/${p.id}`) };
}

function parsePolicy(body: unknown, create: boolean): PolicyInput & { id?: unknown } {
  const spec = create
    ? { type: { ...POLICY_FIELDS.type!, required: true }, blob: { ...POLICY_FIELDS.blob!, required: true } }
    : POLICY_FIELDS;
  const { fields, extra } = parseBody(body, 'policy', spec, true);
  if (!create) requireSomeField(fields, extra, 'policy');
  const id = extra.id;
  delete extra.id;
  delete extra.links;
  return { ...(fields as PolicyInput), extra, id };
}

export function registerPolicyRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/policies', async (request) => {
    await authorize(deps, request, 'identity:list_policies');
    const rows = await listPolicies(deps.db, queryValue(request.query as Query, 'type'));
    return collection(request, 'policies', rows.map((p) => renderPolicy(request, p)));
  });

  app.post('/v3/policies', async (request, reply) => {
    await authorize(deps, request, 'identity:create_policy');
    const { id: _ignored, ...input } = parsePolicy(request.body, true);
    const row = await createPolicy(deps, { ...input, type: input.type!, blob: input.blob! });
    reply.code(201);
    return { policy: renderPolicy(request, row) };
  });

  app.get('/v3/policies/:policy_id', async (request) => {
    const { policy_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_policy');
    return { policy: renderPolicy(request, await getPolicy(deps.db, policy_id!)) };
  });

  app.patch('/v3/policies/:policy_id', async (request) => {
    const { policy_id } = request.params as Params;
    await authorize(deps, request, 'identity:update_policy');
    const { id, ...input } = parsePolicy(request.body, false);
    requireMatchingId({ id }, policy_id!);
    return { policy: renderPolicy(request, await updatePolicy(deps, policy_id!, input)) };
  });

  app.delete('/v3/policies/:policy_id', async (request, reply) => {
    const { policy_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_policy');
    await deletePolicy(deps, policy_id!);
    reply.code(204).send();
  });
}
