// Fixtures for the group, role, grant and role-assignment suites. Domains and projects are
// inserted directly (their routes are another suite's concern); everything else goes through the API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Harness } from './identity-harness.js';

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function makeDomain(h: Harness, name = uniqueName('dom')): Promise<string> {
  const id = randomBytes(16).toString('hex');
  await h.deps.db.insertInto('domain').values({ id, name, description: '', enabled: 1, extra: '{}' }).execute();
  return id;
}

export async function makeProject(h: Harness, domainId: string, parentId: string | null = null, name = uniqueName('proj')): Promise<string> {
  const id = randomBytes(16).toString('hex');
  await h.deps.db.insertInto('project').values({ id, name, domain_id: domainId, parent_id: parentId, description: '', enabled: 1, extra: '{}' }).execute();
  return id;
}

async function created(res: { statusCode: number; body: string; json(): unknown }, key: string): Promise<Record<string, unknown>> {
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as Record<string, Record<string, unknown>>)[key]!;
}

export async function makeUser(h: Harness, domainId = 'default', password = 'secret-password-1'): Promise<{ id: string; name: string; password: string }> {
  const name = uniqueName('user');
  const user = await created(await h.request('POST', '/v3/users', { body: { user: { name, password, domain_id: domainId } } }), 'user');
  return { id: user.id as string, name, password };
}

export async function makeRole(h: Harness, domainId?: string): Promise<string> {
  const body = { role: { name: uniqueName('role'), ...(domainId ? { domain_id: domainId } : {}) } };
  return (await created(await h.request('POST', '/v3/roles', { body }), 'role')).id as string;
}

export async function makeGroup(h: Harness, domainId = 'default'): Promise<string> {
  const body = { group: { name: uniqueName('group'), domain_id: domainId } };
  return (await created(await h.request('POST', '/v3/groups', { body }), 'group')).id as string;
}

export async function roleIdByName(h: Harness, name: string): Promise<string> {
  return (await h.deps.db.selectFrom('role').select('id').where('name', '=', name).where('domain_id', 'is', null).executeTakeFirstOrThrow()).id;
}

/** PUT a grant through the API and insist on Keystone's 204. */
export async function grant(h: Harness, path: string): Promise<void> {
  const res = await h.request('PUT', path);
  assert.equal(res.statusCode, 204, `${path}: ${res.body}`);
}

/** The same service seen through another default token (e.g. a system-scoped admin's). */
export function withToken(h: Harness, token: string): Harness {
  return { ...h, adminToken: token, request: (method, url, options = {}) => h.request(method, url, { token, ...options }) };
}
