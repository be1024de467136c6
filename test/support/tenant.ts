// A fresh project with a user holding `role` there, logged in with a project-scoped token: the
// ordinary tenant every service harness hands its tests.
import { makeProject, makeUser, roleIdByName } from './assignment-fixtures.js';
import type { Harness } from './identity-harness.js';

export interface Tenant { readonly projectId: string; readonly userId: string; readonly token: string }

export async function makeTenant(identity: Harness, role = 'member'): Promise<Tenant> {
  const projectId = await makeProject(identity, 'default');
  const user = await makeUser(identity);
  await identity.deps.db.insertInto('assignment').values({
    type: 'UserProject', actor_id: user.id, target_id: projectId, role_id: await roleIdByName(identity, role), inherited: 0,
  }).execute();
  identity.deps.changes.bump();
  const token = await identity.login({ id: user.id }, user.password, { project: { id: projectId } });
  return { projectId, userId: user.id, token };
}
