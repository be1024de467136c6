import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Enforcer, KEYSTONE_LEGACY_RULES, KEYSTONE_RULE_FAMILIES, buildRuleSet, keystoneDefaults, undefinedReferences,
  type Credentials, type PolicyTarget,
} from '../../../src/core/policy/index.js';

// Keystone's role implication (admin -> member -> reader) is already applied to these role lists.
const ADMIN = ['admin', 'member', 'reader'];
const personas = {
  systemAdmin: { user_id: 'sys-admin', user_domain_id: 'default', system_scope: 'all', roles: ADMIN },
  systemReader: { user_id: 'sys-reader', user_domain_id: 'default', system_scope: 'all', roles: ['reader'] },
  domainAdmin: { user_id: 'd1-admin', user_domain_id: 'd1', domain_id: 'd1', roles: ADMIN },
  domainReader: { user_id: 'd1-reader', user_domain_id: 'd1', domain_id: 'd1', roles: ['reader'] },
  projectAdmin: { user_id: 'p1-admin', user_domain_id: 'd1', project_id: 'p1', project_domain_id: 'd1', roles: ADMIN },
  projectMember: { user_id: 'p1-member', user_domain_id: 'd1', project_id: 'p1', project_domain_id: 'd1', roles: ['member', 'reader'] },
  projectReader: { user_id: 'p1-reader', user_domain_id: 'd1', project_id: 'p1', project_domain_id: 'd1', roles: ['reader'] },
} as const satisfies Record<string, Credentials>;
type Persona = keyof typeof personas;
const PERSONAS = Object.keys(personas) as Persona[];

const legacy = new Enforcer(keystoneDefaults);
const scoped = new Enforcer(keystoneDefaults, { enforceScope: true });

/** Checks one rule and target for every persona; `allowed` lists who passes in each mode. */
function matrix(rule: string, target: PolicyTarget, allowed: { legacy: readonly Persona[]; scoped: readonly Persona[] }): void {
  for (const [mode, enforcer] of [['legacy', legacy], ['scoped', scoped]] as const) {
    const actual = PERSONAS.filter((p) => enforcer.authorize(rule, target, personas[p]));
    assert.deepEqual(actual, PERSONAS.filter((p) => allowed[mode].includes(p)), `${rule} (${mode})`);
  }
}

const userIn = (id: string, domain: string): PolicyTarget => ({ user_id: id, target: { user: { id, domain_id: domain } } });
const projectIn = (id: string, domain: string): PolicyTarget => ({ target: { project: { id, domain_id: domain } } });

test('create_user: system admin anywhere, domain admin in its domain; legacy mode lets any admin', () => {
  matrix('identity:create_user', { target: { user: { domain_id: 'd1' } } }, {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'domainAdmin'],
  });
  matrix('identity:create_user', { target: { user: { domain_id: 'd2' } } }, {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin'],
  });
});

test('get_user: readers see their domain, everyone sees themselves', () => {
  matrix('identity:get_user', userIn('u-d1', 'd1'), {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader'],
  });
  matrix('identity:get_user', userIn('u-d2', 'd2'), {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader'],
  });
  matrix('identity:get_user', userIn('p1-member', 'd1'), {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader', 'projectAdmin', 'projectMember'],
    scoped: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader', 'projectMember'],
  });
});

test('list_role_assignments: system and domain readers; project users only through legacy admin', () => {
  // Keystone reflects a domain-scoped caller's own domain into target.domain_id, then filters.
  matrix('identity:list_role_assignments', { target: { domain_id: 'd1' } }, {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader'],
  });
  matrix('identity:list_role_assignments', {}, {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader'],
  });
  matrix('identity:list_role_assignments_for_tree', { ...projectIn('p1', 'd1'), 'target.domain_id': 'd1' }, {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader', 'domainAdmin', 'domainReader', 'projectAdmin'],
  });
});

test('create_project: system admin, or domain admin of the project domain', () => {
  matrix('identity:create_project', { target: { project: { domain_id: 'd1' } } }, {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'domainAdmin'],
  });
  matrix('identity:create_project', { target: { project: { domain_id: 'd2' } } }, {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin'],
  });
});

test('get_project: own project for project users, own domain for domain readers', () => {
  matrix('identity:get_project', projectIn('p1', 'd1'), {
    legacy: PERSONAS,
    scoped: PERSONAS,
  });
  matrix('identity:get_project', projectIn('p2', 'd2'), {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader'],
  });
});

test('validate_token: own token for anyone, any token for system readers and services', () => {
  matrix('identity:validate_token', { target: { token: { user_id: 'p1-member' } } }, {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'projectAdmin', 'projectMember'],
    scoped: ['systemAdmin', 'systemReader', 'projectMember'],
  });
  const service: Credentials = { user_id: 'nova', project_id: 'service', roles: ['service'] };
  const other = { target: { token: { user_id: 'someone' } } };
  assert.equal(scoped.authorize('identity:validate_token', other, service), true);
  assert.equal(scoped.authorize('identity:check_token', other, service), false);
  assert.equal(scoped.authorize('identity:revoke_token', other, personas.systemReader), false);
  assert.equal(scoped.authorize('identity:revoke_token', other, personas.systemAdmin), true);
});

test('create_application_credential: only for yourself, from a project token', () => {
  matrix('identity:create_application_credential', { user_id: 'p1-member' }, {
    legacy: ['projectMember'],
    scoped: ['projectMember'],
  });
  matrix('identity:create_application_credential', { user_id: 'sys-admin' }, {
    legacy: ['systemAdmin'],
    scoped: [],
  });
  matrix('identity:delete_application_credential', { user_id: 'p1-member' }, {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin', 'projectMember'],
    scoped: ['systemAdmin', 'projectMember'],
  });
});

test('grants: domain admins grant global or own-domain roles within their domain', () => {
  const grant = (userDomain: string, projectDomain: string, roleDomain: string | null): PolicyTarget => ({
    target: { user: { domain_id: userDomain }, project: { domain_id: projectDomain }, role: { domain_id: roleDomain } },
  });
  matrix('identity:create_grant', grant('d1', 'd1', null), {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'domainAdmin'],
  });
  matrix('identity:create_grant', grant('d1', 'd1', 'd2'), {
    legacy: ['systemAdmin', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin'],
  });
  matrix('identity:check_grant', grant('d1', 'd2', null), {
    legacy: ['systemAdmin', 'systemReader', 'domainAdmin', 'projectAdmin'],
    scoped: ['systemAdmin', 'systemReader'],
  });
});

const rules = Object.keys(keystoneDefaults).filter((name) => name.startsWith('identity:'));
const isWrite = (name: string): boolean => /^identity:(ec2_)?(create|update|delete|revoke|add|remove)_/.test(name);

// Only the user itself may create its application credentials and trusts (Keystone has no admin override).
const SELF_ONLY = new Set(['identity:create_application_credential', 'identity:create_trust']);

test('a system admin may call every identity API except creating credentials for others', () => {
  for (const enforcer of [legacy, scoped]) {
    for (const name of rules) {
      const expected = !SELF_ONLY.has(name);
      assert.equal(enforcer.authorize(name, {}, personas.systemAdmin), expected, name);
    }
  }
});

test('a system reader may read everything and write nothing', () => {
  for (const name of rules) {
    assert.equal(scoped.authorize(name, {}, personas.systemReader), !isWrite(name), name);
  }
});

test('project members and readers cannot create users, projects, roles or domains', () => {
  for (const name of ['identity:create_user', 'identity:create_project', 'identity:create_role', 'identity:create_domain', 'identity:create_group']) {
    for (const persona of ['projectMember', 'projectReader', 'domainReader'] as const) {
      for (const enforcer of [legacy, scoped]) {
        const target = { target: { user: { domain_id: 'd1' }, project: { domain_id: 'd1' }, group: { domain_id: 'd1' } } };
        assert.equal(enforcer.authorize(name, target, personas[persona]), false, `${persona} ${name}`);
      }
    }
  }
});

test('Tempest: a project-scoped admin passes every admin_required API while scope is not enforced', () => {
  const adminOnly = Object.entries(KEYSTONE_LEGACY_RULES).filter(([, legacyRule]) => legacyRule === 'rule:admin_required');
  assert.ok(adminOnly.length > 60);
  for (const [name] of adminOnly) {
    assert.equal(legacy.authorize(name, {}, personas.projectAdmin), true, name);
    assert.equal(legacy.authorize(name, {}, personas.projectMember), false, name);
  }
  assert.equal(scoped.authorize('identity:create_domain', {}, personas.projectAdmin), false);
});

test('the defaults use Keystone names and check strings', () => {
  const expected = [
    'get_domain', 'list_domains', 'create_domain', 'update_domain', 'delete_domain', 'get_project', 'list_projects',
    'list_user_projects', 'create_project', 'update_project', 'delete_project', 'get_user', 'list_users', 'create_user',
    'update_user', 'delete_user', 'get_group', 'list_groups', 'list_groups_for_user', 'create_group', 'update_group',
    'delete_group', 'list_users_in_group', 'remove_user_from_group', 'check_user_in_group', 'add_user_to_group',
    'get_role', 'list_roles', 'create_role', 'update_role', 'delete_role', 'get_domain_role', 'list_domain_roles',
    'create_domain_role', 'update_domain_role', 'delete_domain_role', 'get_implied_role', 'list_implied_roles',
    'create_implied_role', 'delete_implied_role', 'list_role_inference_rules', 'check_implied_role', 'check_grant',
    'list_grants', 'create_grant', 'revoke_grant', 'list_system_grants_for_user', 'check_system_grant_for_user',
    'create_system_grant_for_user', 'revoke_system_grant_for_user', 'list_system_grants_for_group',
    'check_system_grant_for_group', 'create_system_grant_for_group', 'revoke_system_grant_for_group',
    'list_role_assignments', 'list_role_assignments_for_tree', 'get_region', 'list_regions', 'create_region',
    'update_region', 'delete_region', 'get_service', 'list_services', 'create_service', 'update_service',
    'delete_service', 'get_endpoint', 'list_endpoints', 'create_endpoint', 'update_endpoint', 'delete_endpoint',
    'get_auth_catalog', 'get_auth_projects', 'get_auth_domains', 'get_auth_system', 'check_token', 'validate_token',
    'revoke_token', 'get_application_credential', 'list_application_credentials', 'create_application_credential',
    'delete_application_credential', 'get_limit', 'list_limits', 'list_projects_for_user', 'list_domains_for_user',
    'get_project_tag', 'list_project_tags', 'create_project_tag', 'update_project_tags', 'delete_project_tag',
    'delete_project_tags',
  ].map((n) => `identity:${n}`);
  for (const name of expected) assert.ok(legacy.isRegistered(name), name);
  for (const base of ['admin_required', 'service_role', 'service_or_admin', 'owner', 'admin_or_owner', 'token_subject',
    'admin_or_token_subject', 'service_admin_or_token_subject']) assert.ok(legacy.isRegistered(base), base);

  assert.equal(keystoneDefaults['admin_required']?.check, 'role:admin or is_admin:1');
  assert.equal(keystoneDefaults['identity:get_user']?.check,
    '(role:reader and system_scope:all) or (role:reader and token.domain.id:%(target.user.domain_id)s) or ' +
    'user_id:%(target.user.id)s');
  assert.equal(keystoneDefaults['identity:list_role_assignments']?.check,
    '(role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s)');
  assert.equal(KEYSTONE_LEGACY_RULES['identity:get_project'], 'rule:admin_required or project_id:%(target.project.id)s');
  assert.equal(legacy.describe('identity:create_user'),
    '(((role:admin and system_scope:all) or (role:admin and token.domain.id:%(target.user.domain_id)s)) or ' +
    'rule:admin_required)');
});

test('the defaults are consistent: no duplicates, no dangling rule references', () => {
  const total = KEYSTONE_RULE_FAMILIES.reduce((n, family) => n + Object.keys(family).length, 0);
  assert.equal(Object.keys(keystoneDefaults).length, total, 'a rule is defined in two families');
  for (const enforceScope of [false, true]) {
    assert.deepEqual(undefinedReferences(buildRuleSet(keystoneDefaults, { enforceScope }).rules), []);
  }
});
