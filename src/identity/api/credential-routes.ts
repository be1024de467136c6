// /v3/credentials: opaque credential blobs. Owners manage their own; a listing shows each caller
// only the credentials policy lets them read, one by one, as Keystone does.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { policyCredentials } from '../../core/http/auth-context.js';
import { isString, nullable, parseBody, type BodySpec } from '../../core/validate.js';
import type { CredentialRow } from '../db/schema.js';
import {
  createCredential, deleteCredential, getCredential, listCredentials, mergeCredential, saveCredential, type CredentialInput,
} from '../domain/credentials.js';
import { requireMatchingId, requireSomeField } from './catalog-checks.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, queryValue, selfLink, type Params, type Query } from './helpers.js';

const CREDENTIAL_FIELDS: BodySpec = {
  type: { check: isString({ min: 1, max: 255 }) },
  blob: { check: isString({ max: 65535 }) },
  user_id: { check: isString({ min: 1, max: 64 }) },
  project_id: { check: nullable(isString({ max: 64 })) },
};

export function renderCredential(request: FastifyRequest, c: CredentialRow): Record<string, unknown> {
  return {
    ...parseJson(c.extra),
    id: c.id,
    user_id: c.user_id,
    project_id: c.project_id,
    type: c.type,
    blob: c.blob,
    links: selfLink(request, `credentials/${c.id}`),
  };
}

const credentialTarget = (c: Pick<CredentialRow, 'user_id'> & Partial<CredentialRow>) => ({ target: { credential: c } });

function parseCredential(body: unknown, create: boolean): CredentialInput & { id?: unknown } {
  const spec = create
    ? Object.fromEntries(Object.entries(CREDENTIAL_FIELDS).map(([k, v]) => [k, { ...v, required: k !== 'project_id' }]))
    : CREDENTIAL_FIELDS;
  const { fields, extra } = parseBody(body, 'credential', spec, true);
  if (!create) requireSomeField(fields, extra, 'credential');
  const id = extra.id;
  delete extra.id;
  delete extra.links;
  return { ...(fields as CredentialInput), extra, id };
}

export function registerCredentialRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.get('/v3/credentials', async (request) => {
    const ctx = await request.requireAuth();
    await authorize(deps, request, 'identity:list_credentials', ctx.system ? {} : credentialTarget({ user_id: ctx.userId }));
    const query = request.query as Query;
    const rows = await listCredentials(deps.db, { user_id: queryValue(query, 'user_id'), type: queryValue(query, 'type') });
    const creds = policyCredentials(ctx);
    const visible = rows.filter((row) => deps.policy.authorize('identity:get_credential', credentialTarget(row), creds));
    return collection(request, 'credentials', visible.map((c) => renderCredential(request, c)));
  });

  app.post('/v3/credentials', async (request, reply) => {
    const { id: _ignored, ...input } = parseCredential(request.body, true);
    const ctx = await authorize(deps, request, 'identity:create_credential', credentialTarget({ user_id: input.user_id! }));
    const row = await createCredential(deps, { ...input, type: input.type!, blob: input.blob!, user_id: input.user_id! }, ctx.applicationCredentialId);
    reply.code(201);
    return { credential: renderCredential(request, row) };
  });

  app.get('/v3/credentials/:credential_id', async (request) => {
    const { credential_id } = request.params as Params;
    await request.requireAuth();
    const row = await getCredential(deps.db, credential_id!);
    await authorize(deps, request, 'identity:get_credential', credentialTarget(row));
    return { credential: renderCredential(request, row) };
  });

  app.patch('/v3/credentials/:credential_id', async (request) => {
    const { credential_id } = request.params as Params;
    await request.requireAuth();
    const current = await getCredential(deps.db, credential_id!);
    await authorize(deps, request, 'identity:update_credential', credentialTarget(current));
    const { id, ...input } = parseCredential(request.body, false);
    requireMatchingId({ id }, current.id);
    const updated = mergeCredential(current, input);
    // Checked again on the result: an owner may not hand the credential to someone else.
    await authorize(deps, request, 'identity:update_credential', credentialTarget(updated));
    return { credential: renderCredential(request, await saveCredential(deps, updated)) };
  });

  app.delete('/v3/credentials/:credential_id', async (request, reply) => {
    const { credential_id } = request.params as Params;
    await request.requireAuth();
    const row = await getCredential(deps.db, credential_id!);
    await authorize(deps, request, 'identity:delete_credential', credentialTarget(row));
    await deleteCredential(deps, row.id);
    reply.code(204).send();
  });
}
