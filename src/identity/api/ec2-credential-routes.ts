// /v3/users/{user_id}/credentials/OS-EC2: EC2-style access/secret pairs, stored as ec2 credentials
// whose id is the SHA-256 of the access key.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, unauthorized } from '../../core/errors.js';
import type { CredentialRow } from '../db/schema.js';
import { createCredential, deleteCredential, findCredential, hashAccessKey, isEc2, listCredentials } from '../domain/credentials.js';
import { getUser } from '../domain/users.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, parseJson, selfLink, type Params } from './helpers.js';

const hex = () => randomUUID().replace(/-/g, '');

export function renderEc2(request: FastifyRequest, c: CredentialRow): Record<string, unknown> {
  const blob = parseJson(c.blob);
  return {
    user_id: c.user_id,
    tenant_id: c.project_id,
    access: blob.access ?? null,
    secret: blob.secret ?? null,
    trust_id: blob.trust_id ?? null,
    links: selfLink(request, `users/${c.user_id}/credentials/OS-EC2/${String(blob.access)}`),
  };
}

export function registerEc2CredentialRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/users/:user_id/credentials/OS-EC2';

  /** The ec2 credential for an access key, checked against policy as its owner's. */
  async function ec2Credential(request: FastifyRequest, rule: string): Promise<CredentialRow> {
    const { user_id, credential_id } = request.params as Params;
    await request.requireAuth();
    const id = hashAccessKey(credential_id!);
    const row = await findCredential(deps.db, id);
    await authorize(deps, request, rule, { user_id, target: { credential: { user_id: row?.user_id ?? user_id } } });
    await getUser(deps.db, user_id!);
    if (!row || row.user_id !== user_id) throw notFound(`Could not find credential: ${id}.`);
    if (!isEc2(row.type)) throw unauthorized('EC2 access key not found.');
    return row;
  }

  app.get(base, async (request) => {
    const { user_id } = request.params as Params;
    await authorize(deps, request, 'identity:ec2_list_credentials', { user_id });
    await getUser(deps.db, user_id!);
    const rows = await listCredentials(deps.db, { user_id: user_id!, type: 'ec2' });
    return collection(request, 'credentials', rows.map((c) => renderEc2(request, c)));
  });

  app.post(base, async (request, reply) => {
    const { user_id } = request.params as Params;
    const ctx = await authorize(deps, request, 'identity:ec2_create_credential', { user_id, target: { credential: { user_id } } });
    await getUser(deps.db, user_id!);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const tenantId = typeof body.tenant_id === 'string' ? body.tenant_id : String(body.tenant_id ?? 'None');
    const project = await deps.db.selectFrom('project').select('id').where('id', '=', tenantId).executeTakeFirst();
    if (!project) throw notFound(`Could not find project: ${tenantId}.`);
    const blob = JSON.stringify({ access: hex(), secret: hex(), trust_id: null });
    const row = await createCredential(deps, { type: 'ec2', blob, user_id: user_id!, project_id: project.id }, ctx.applicationCredentialId);
    reply.code(201);
    return { credential: renderEc2(request, row) };
  });

  app.get(`${base}/:credential_id`, async (request) => {
    const row = await ec2Credential(request, 'identity:ec2_get_credential');
    return { credential: renderEc2(request, row) };
  });

  app.delete(`${base}/:credential_id`, async (request, reply) => {
    const row = await ec2Credential(request, 'identity:ec2_delete_credential');
    await deleteCredential(deps, row.id);
    reply.code(204).send();
  });
}
