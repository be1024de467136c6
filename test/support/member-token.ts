// A non-admin caller for policy tests: a fresh user holding `member` (or another global role)
// on a project, logged in with a token scoped to that project.
import type { Harness } from './identity-harness.js';
import { makeUser, roleIdByName } from './assignment-fixtures.js';

export interface Member { readonly userId: string; readonly password: string; readonly token: string }

export async function memberOf(h: Harness, projectId: string, roleName = 'member'): Promise<Member> {
  const user = await makeUser(h);
  await h.deps.db.insertInto('assignment').values({
    type: 'UserProject', actor_id: user.id, target_id: projectId, role_id: await roleIdByName(h, roleName), inherited: 0,
  }).execute();
  h.deps.changes.bump();
  const token = await h.login({ id: user.id }, user.password, { project: { id: projectId } });
  return { userId: user.id, password: user.password, token };
}
