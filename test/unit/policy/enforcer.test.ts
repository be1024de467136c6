import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Enforcer, PolicyCycleError, PolicyForbidden, PolicyNotRegistered, PolicySyntaxError, type Credentials,
  type DefaultRules,
} from '../../../src/core/policy/index.js';

const member: Credentials = { user_id: 'u1', project_id: 'p1', project_domain_id: 'd1', roles: ['member', 'reader'] };
const projectAdmin: Credentials = { user_id: 'u2', project_id: 'p1', project_domain_id: 'd1', roles: ['admin'] };
const systemAdmin: Credentials = { user_id: 'u3', system_scope: 'all', roles: ['admin'] };

const defaults: DefaultRules = {
  admin_required: 'role:admin',
  'thing:get': 'project_id:%(target.thing.project_id)s or rule:admin_required',
  'thing:delete': { check: 'role:admin and system_scope:all', scopeTypes: ['system'], deprecated: 'rule:admin_required' },
  'thing:list': { check: 'role:reader', scopeTypes: ['project'] },
};

test('authorize evaluates a registered rule against target and credentials', () => {
  const enforcer = new Enforcer(defaults);
  const mine = { target: { thing: { project_id: 'p1' } } };
  const theirs = { target: { thing: { project_id: 'p9' } } };
  assert.equal(enforcer.authorize('thing:get', mine, member), true);
  assert.equal(enforcer.authorize('thing:get', theirs, member), false);
  assert.equal(enforcer.authorize('thing:get', theirs, projectAdmin), true);
});

test('authorize throws on a rule name that was never registered', () => {
  const enforcer = new Enforcer(defaults);
  assert.throws(() => enforcer.authorize('thing:gett', {}, member), (err: unknown) =>
    err instanceof PolicyNotRegistered && err.rule === 'thing:gett');
  // enforce() is the lenient oslo.policy entry point: unknown names are just denied.
  assert.equal(enforcer.enforce('thing:gett', {}, systemAdmin), false);
});

test('assertAuthorized throws PolicyForbidden naming the rule', () => {
  const enforcer = new Enforcer(defaults);
  assert.doesNotThrow(() => enforcer.assertAuthorized('thing:delete', {}, systemAdmin));
  assert.throws(() => enforcer.assertAuthorized('thing:delete', {}, member), (err: unknown) =>
    err instanceof PolicyForbidden && err.rule === 'thing:delete' && err.status === 403 &&
    err.message === 'You are not authorized to perform the requested action: thing:delete.');
});

test('enforceScope false ORs the deprecated rule in; true drops it', () => {
  const legacy = new Enforcer(defaults);
  const strict = new Enforcer(defaults, { enforceScope: true });
  assert.equal(legacy.authorize('thing:delete', {}, projectAdmin), true);
  assert.equal(strict.authorize('thing:delete', {}, projectAdmin), false);
  assert.equal(strict.authorize('thing:delete', {}, systemAdmin), true);
  assert.equal(legacy.describe('thing:delete'), '((role:admin and system_scope:all) or rule:admin_required)');
  assert.equal(strict.describe('thing:delete'), '(role:admin and system_scope:all)');
});

test('enforceScope true also enforces scope types', () => {
  const legacy = new Enforcer(defaults);
  const strict = new Enforcer(defaults, { enforceScope: true });
  const systemReader: Credentials = { user_id: 'r', system_scope: 'all', roles: ['reader'] };
  assert.equal(legacy.authorize('thing:list', {}, systemReader), true);
  assert.equal(strict.authorize('thing:list', {}, systemReader), false, 'system token on a project-only API');
  assert.equal(strict.authorize('thing:list', {}, member), true);
});

test('overrides replace a default outright, with no deprecated fallback', () => {
  const enforcer = new Enforcer(defaults, { overrides: { 'thing:delete': 'role:member' } });
  assert.equal(enforcer.authorize('thing:delete', {}, member), true);
  assert.equal(enforcer.authorize('thing:delete', {}, projectAdmin), false);
});

test('overrides may define helper rules and use the list form', () => {
  const enforcer = new Enforcer(defaults, {
    overrides: { owner_project: 'project_id:%(target.thing.project_id)s', 'thing:get': [['rule:owner_project', 'role:reader']] },
  });
  assert.equal(enforcer.authorize('thing:get', { target: { thing: { project_id: 'p1' } } }, member), true);
  assert.equal(enforcer.authorize('thing:get', { target: { thing: { project_id: 'p2' } } }, member), false);
  // Helper rules are not registered actions.
  assert.throws(() => enforcer.authorize('owner_project', {}, member), PolicyNotRegistered);
});

test('reference cycles are refused when the rules are loaded', () => {
  assert.throws(
    () => new Enforcer(defaults, { overrides: { admin_required: 'rule:thing:get' } }),
    (err: unknown) => err instanceof PolicyCycleError && err.cycle[0] === err.cycle.at(-1) &&
      [...new Set(err.cycle)].sort().join(' ') === 'admin_required thing:get',
  );
  assert.throws(() => new Enforcer({ a: 'rule:a' }), PolicyCycleError);
  assert.doesNotThrow(() => new Enforcer({ a: 'rule:b', b: 'rule:c', c: '@', d: 'rule:b and rule:c' }));
});

test('a syntax error in a default or an override stops construction', () => {
  assert.throws(() => new Enforcer({ bad: 'role:a or' }), PolicySyntaxError);
  assert.throws(() => new Enforcer(defaults, { overrides: { 'thing:get': '(role:a' } }),
    (err: unknown) => err instanceof PolicySyntaxError && err.rule === 'thing:get');
});

test('credentials shaped like a plain record are accepted', () => {
  const enforcer = new Enforcer(defaults);
  const fromToken: Record<string, unknown> = { user_id: 'u', project_id: 'p1', domain_id: undefined, roles: ['admin'] };
  assert.equal(enforcer.authorize('thing:delete', {}, fromToken), true);
});
