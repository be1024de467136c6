import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Enforcer, glanceDefaults, parseRule, type Credentials } from '../../../src/core/policy/index.js';

const member = (project: string): Credentials => ({ user_id: 'u', project_id: project, roles: ['member', 'reader'] });
const reader = (project: string): Credentials => ({ user_id: 'u', project_id: project, roles: ['reader'] });
const admin: Credentials = { user_id: 'a', project_id: 'admin-project', roles: ['admin', 'member', 'reader'] };
const image = (owner: string, visibility: string, memberId?: string) => ({ project_id: owner, owner, visibility, ...(memberId ? { member_id: memberId } : {}) });

test('every Glance default parses', () => {
  for (const [name, rule] of Object.entries(glanceDefaults)) {
    parseRule(name, rule.check);
    if (rule.deprecated) parseRule(name, rule.deprecated);
  }
});

test('new defaults (enforceScope): ownership, membership and visibility decide', () => {
  const e = new Enforcer(glanceDefaults, { enforceScope: true });
  assert.equal(e.authorize('get_image', image('p1', 'private'), member('p1')), true);
  assert.equal(e.authorize('get_image', image('p1', 'private'), member('p2')), false);
  assert.equal(e.authorize('get_image', image('p1', 'public'), reader('p2')), true);
  assert.equal(e.authorize('modify_image', image('p1', 'shared'), member('p1')), true);
  assert.equal(e.authorize('modify_image', image('p1', 'shared'), reader('p1')), false, 'readers do not write');
  assert.equal(e.authorize('modify_image', image('p1', 'public'), member('p2')), false);
  assert.equal(e.authorize('download_image', image('p1', 'shared', 'p2'), member('p2')), true);
  assert.equal(e.authorize('modify_member', image('p1', 'shared', 'p2'), member('p2')), true);
  assert.equal(e.authorize('modify_member', image('p1', 'shared'), member('p1')), false, 'the owner does not accept for the member');
  assert.equal(e.authorize('add_image', { project_id: 'p1', owner: 'p1' }, member('p1')), true);
  assert.equal(e.authorize('add_image', { project_id: 'p2', owner: 'p2' }, member('p1')), false);
  assert.equal(e.authorize('publicize_image', image('p1', 'public'), member('p1')), false);
  assert.equal(e.authorize('publicize_image', image('p1', 'public'), admin), true);
  assert.equal(e.authorize('add_metadef_namespace', {}, member('p1')), false);
  assert.equal(e.authorize('get_metadef_namespace', {}, reader('p1')), true);
});

test('legacy mode (enforceScope false): rule:default opens what the service then checks; admin-only rules stay closed', () => {
  const e = new Enforcer(glanceDefaults, { enforceScope: false });
  assert.equal(e.authorize('modify_image', image('p1', 'public'), member('p2')), true, 'ownership is checked by the service');
  assert.equal(e.authorize('publicize_image', image('p1', 'public'), member('p1')), false);
  assert.equal(e.authorize('copy_image', {}, member('p1')), false);
  assert.equal(e.authorize('publicize_image', {}, admin), true);
  assert.equal(e.enforce('context_is_admin', {}, admin), true);
  assert.equal(e.enforce('context_is_admin', {}, member('p1')), false);
});
