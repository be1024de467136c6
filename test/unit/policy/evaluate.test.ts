import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  credentialView, evaluate, parseRule, type Credentials, type PolicyNode, type PolicyTarget,
} from '../../../src/core/policy/index.js';

const alice: Credentials = {
  user_id: 'alice',
  user_domain_id: 'd1',
  project_id: 'p1',
  project_domain_id: 'd1',
  roles: ['Member', 'reader'],
  is_admin_project: true,
};

function check(source: string, target: PolicyTarget = {}, creds: Credentials = alice,
  rules: Record<string, string> = {}): boolean {
  const named = new Map<string, PolicyNode>(Object.entries(rules).map(([n, s]) => [n, parseRule(n, s)]));
  return evaluate(parseRule('test', source), { target, creds: credentialView(creds), rules: named });
}

test('@, "" and ! are constant', () => {
  assert.equal(check('@'), true);
  assert.equal(check(''), true);
  assert.equal(check('!'), false);
});

test('role: is case-insensitive membership', () => {
  assert.equal(check('role:member'), true);
  assert.equal(check('role:READER'), true);
  assert.equal(check('role:admin'), false);
  assert.equal(check('role:admin', {}, { user_id: 'x' }), false, 'no roles at all');
});

test('role: may take its name from the target', () => {
  assert.equal(check('role:%(needed)s', { needed: 'member' }), true);
  assert.equal(check('role:%(needed)s', { needed: 'admin' }), false);
  assert.equal(check('role:%(needed)s', {}), false);
});

test('generic checks compare a credential with a target substitution', () => {
  assert.equal(check('project_id:%(project_id)s', { project_id: 'p1' }), true);
  assert.equal(check('project_id:%(project_id)s', { project_id: 'p2' }), false);
  assert.equal(check('user_id:alice'), true);
  assert.equal(check('user_id:bob'), false);
});

test('a generic check against a list credential is membership (case-sensitive)', () => {
  assert.equal(check('roles:reader'), true);
  assert.equal(check('roles:Member'), true);
  assert.equal(check('roles:member'), false);
});

test('credential values compare as Python str(): True/False, numbers', () => {
  assert.equal(check('is_admin_project:True'), true);
  assert.equal(check('is_admin_project:true'), false);
  assert.equal(check('is_admin_project:False'), false);
  assert.equal(check('level:3', {}, { ...alice, level: 3 }), true);
  assert.equal(check('is_admin:1', {}, { ...alice, is_admin: true }), false, 'str(True) is not "1"');
});

test('dotted credential paths reach nested values, through lists', () => {
  const creds: Credentials = { ...alice, token: { project: { domain: { id: 'd1' } }, roles: [{ name: 'member' }] } };
  assert.equal(check('token.project.domain.id:d1', {}, creds), true);
  assert.equal(check('token.project.domain.id:d2', {}, creds), false);
  assert.equal(check('token.roles.name:member', {}, creds), true);
  assert.equal(check('token.roles.name:admin', {}, creds), false);
  assert.equal(check('token.nothing.here:x', {}, creds), false);
});

test('without an explicit token, a Keystone-shaped token view is derived', () => {
  assert.equal(check('token.project.domain.id:%(target.domain.id)s', { target: { domain: { id: 'd1' } } }), true);
  assert.equal(check('token.project.domain.id:%(target.domain.id)s', { target: { domain: { id: 'd2' } } }), false);
  assert.equal(check('token.is_admin_project:True'), true);
  assert.equal(check('token.domain.id:d1'), false, 'a project token has no domain scope');
  const domainScoped: Credentials = { user_id: 'dan', domain_id: 'd1', roles: ['admin'] };
  assert.equal(check('token.domain.id:d1', {}, domainScoped), true);
});

test('literal kinds compare the substituted target value', () => {
  assert.equal(check('True:%(user.enabled)s', { user: { enabled: true } }), true);
  assert.equal(check('True:%(user.enabled)s', { user: { enabled: false } }), false);
  assert.equal(check("'Member':%(role.name)s", { role: { name: 'Member' } }), true);
  assert.equal(check("'Member':%(role.name)s", { role: { name: 'reader' } }), false);
  // A global role carries domain_id None, which must be passed as null.
  assert.equal(check('None:%(target.role.domain_id)s', { target: { role: { domain_id: null } } }), true);
  assert.equal(check('None:%(target.role.domain_id)s', { target: { role: { domain_id: 'd1' } } }), false);
  assert.equal(check('None:%(target.role.domain_id)s', { target: { role: {} } }), false);
});

test('substitutions resolve nested, flattened and mixed targets', () => {
  const rule = 'user_domain_id:%(target.user.domain_id)s';
  assert.equal(check(rule, { target: { user: { domain_id: 'd1' } } }), true);
  assert.equal(check(rule, { 'target.user.domain_id': 'd1' }), true);
  assert.equal(check(rule, { 'target.user': { domain_id: 'd1' } }), true);
  assert.equal(check(rule, { target: { 'user.domain_id': 'd1' } }), true);
  assert.equal(check(rule, { target: { user: { domain_id: 'd2' } } }), false);
  // A flattened key that does not lead anywhere does not hide the nested one.
  assert.equal(check(rule, { 'target.user': 'oops', target: { user: { domain_id: 'd1' } } }), true);
});

test('a missing substitution makes the check false instead of throwing', () => {
  assert.equal(check('project_id:%(target.project.id)s', {}), false);
  assert.equal(check('project_id:%(target.project.id)s', { target: { project: { id: undefined } } }), false);
  assert.equal(check('project_id:%(target.project.id)s', { target: 'flat string' }), false);
  assert.equal(check('project_id:%(constructor)s', {}), false, 'prototype properties are not target data');
  // ... and `not` of a failed check is true, as in oslo.policy.
  assert.equal(check('not project_id:%(target.project.id)s', {}), true);
});

test('an absent credential never matches, even a None target value', () => {
  assert.equal(check('domain_id:%(target.domain_id)s', { target: { domain_id: null } }), false);
  assert.equal(check('domain_id:None', {}, { ...alice, domain_id: undefined }), false);
});

test('rule: evaluates named rules; undefined rules are false', () => {
  const rules = { is_member: 'role:member', is_admin: 'role:admin', both: 'rule:is_member and rule:is_admin' };
  assert.equal(check('rule:is_member', {}, alice, rules), true);
  assert.equal(check('rule:is_admin', {}, alice, rules), false);
  assert.equal(check('rule:both', {}, alice, rules), false);
  assert.equal(check('rule:nope', {}, alice, rules), false);
  assert.equal(check('not rule:nope', {}, alice, rules), true);
});

test('a reference cycle met during evaluation denies rather than recursing forever', () => {
  const rules = { a: 'rule:b', b: 'rule:a or role:admin' };
  assert.equal(check('rule:a', {}, alice, rules), false);
  assert.equal(check('rule:a or role:member', {}, alice, rules), true);
});

test('and / or / not combine results', () => {
  assert.equal(check('role:member and project_id:p1'), true);
  assert.equal(check('role:member and project_id:p2'), false);
  assert.equal(check('role:admin or project_id:p1'), true);
  assert.equal(check('role:admin or project_id:p2'), false);
  assert.equal(check('not role:admin'), true);
  assert.equal(check('role:admin or role:member and not project_id:p1'), false);
});
