// `nimbus bootstrap`, as `keystone-manage bootstrap`: the default domain, the admin/member/reader
// roles (admin implies member implies reader), the admin project and user with project and system
// admin roles, the region, and a catalog entry per Nimbus service. Re-running changes nothing.
import type { Kysely } from 'kysely';
import { newHexId } from '../core/ids.js';
import type { IdentityDb } from './db/schema.js';
import type { PasswordHasher } from './domain/password-hasher.js';

export interface CatalogService {
  readonly type: string;
  readonly name: string;
  readonly url: string;
}

export interface BootstrapInput {
  readonly adminPassword: string;
  readonly region: string;
  readonly services: readonly CatalogService[];
}

export interface BootstrapResult {
  readonly adminUserId: string;
  readonly adminProjectId: string;
  readonly created: readonly string[];
}

async function ensureRole(db: Kysely<IdentityDb>, name: string, created: string[]): Promise<string> {
  const row = await db.selectFrom('role').select('id').where('name', '=', name).where('domain_id', 'is', null).executeTakeFirst();
  if (row) return row.id;
  const id = newHexId();
  await db.insertInto('role').values({ id, name, domain_id: null, description: '', options: '{}', extra: '{}' }).execute();
  created.push(`role ${name}`);
  return id;
}

async function ensureAssignment(db: Kysely<IdentityDb>, type: string, actorId: string, targetId: string, roleId: string): Promise<void> {
  const row = await db.selectFrom('assignment').select('role_id').where('type', '=', type).where('actor_id', '=', actorId)
    .where('target_id', '=', targetId).where('role_id', '=', roleId).where('inherited', '=', 0).executeTakeFirst();
  if (!row) await db.insertInto('assignment').values({ type, actor_id: actorId, target_id: targetId, role_id: roleId, inherited: 0 }).execute();
}

async function ensureImplied(db: Kysely<IdentityDb>, prior: string, implied: string): Promise<void> {
  const row = await db.selectFrom('implied_role').select('prior_role_id').where('prior_role_id', '=', prior).where('implied_role_id', '=', implied).executeTakeFirst();
  if (!row) await db.insertInto('implied_role').values({ prior_role_id: prior, implied_role_id: implied }).execute();
}

async function ensureService(db: Kysely<IdentityDb>, service: CatalogService, region: string, created: string[]): Promise<void> {
  let row = await db.selectFrom('service').select('id').where('type', '=', service.type).executeTakeFirst();
  if (!row) {
    row = { id: newHexId() };
    await db.insertInto('service').values({ id: row.id, type: service.type, name: service.name, description: '', enabled: 1, extra: '{}' }).execute();
    created.push(`service ${service.type}`);
  }
  for (const iface of ['public', 'internal', 'admin']) {
    const ep = await db.selectFrom('endpoint').select('id').where('service_id', '=', row.id).where('interface', '=', iface)
      .where('region_id', '=', region).executeTakeFirst();
    if (!ep) {
      await db.insertInto('endpoint').values({ id: newHexId(), service_id: row.id, interface: iface, url: service.url, region_id: region, enabled: 1, extra: '{}' }).execute();
      created.push(`endpoint ${service.type} ${iface}`);
    }
  }
}

export async function bootstrapIdentity(db: Kysely<IdentityDb>, hasher: PasswordHasher, input: BootstrapInput): Promise<BootstrapResult> {
  const created: string[] = [];
  if (!(await db.selectFrom('domain').select('id').where('id', '=', 'default').executeTakeFirst())) {
    await db.insertInto('domain').values({ id: 'default', name: 'Default', description: 'The default domain', enabled: 1, extra: '{}' }).execute();
    created.push('domain Default');
  }
  const reader = await ensureRole(db, 'reader', created);
  const member = await ensureRole(db, 'member', created);
  const admin = await ensureRole(db, 'admin', created);
  await ensureImplied(db, admin, member);
  await ensureImplied(db, member, reader);
  let project = await db.selectFrom('project').select('id').where('name', '=', 'admin').where('domain_id', '=', 'default').executeTakeFirst();
  if (!project) {
    project = { id: newHexId() };
    await db.insertInto('project').values({ id: project.id, name: 'admin', domain_id: 'default', parent_id: null, description: 'Bootstrap project for initializing the cloud.', enabled: 1, extra: '{}' }).execute();
    created.push('project admin');
  }
  let user = await db.selectFrom('identity_user').select('id').where('name', '=', 'admin').where('domain_id', '=', 'default').executeTakeFirst();
  if (!user) {
    user = { id: newHexId() };
    const now = new Date().toISOString();
    await db.insertInto('identity_user').values({
      id: user.id, name: 'admin', domain_id: 'default', enabled: 1, password_hash: await hasher.hash(input.adminPassword),
      password_created_at: now, password_expires_at: null, default_project_id: null, description: '', extra: '{}', options: '{}', created_at: now,
      failed_auth_count: 0, failed_auth_at: null,
    }).execute();
    created.push('user admin');
  }
  await ensureAssignment(db, 'UserProject', user.id, project.id, admin);
  await ensureAssignment(db, 'UserSystem', user.id, 'system', admin);
  if (!(await db.selectFrom('region').select('id').where('id', '=', input.region).executeTakeFirst())) {
    await db.insertInto('region').values({ id: input.region, description: '', parent_region_id: null, extra: '{}' }).execute();
    created.push(`region ${input.region}`);
  }
  for (const service of input.services) await ensureService(db, service, input.region, created);
  return { adminUserId: user.id, adminProjectId: project.id, created };
}
