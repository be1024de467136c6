import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Enforcer } from '../../../src/core/policy/index.js';
import { PLACEMENT_API_RULES, placementDefaults } from '../../../src/placement/policy.js';

const creds = (roles: string[], project = 'p1') => ({ user_id: 'u', project_id: project, roles });

describe('placement policy defaults', () => {
  const legacy = new Enforcer(placementDefaults, { enforceScope: false });
  const strict = new Enforcer(placementDefaults, { enforceScope: true });

  it('lets admins and services do everything, and nobody else most things', () => {
    for (const rule of Object.keys(PLACEMENT_API_RULES)) {
      if (rule === 'placement:reshaper:reshape') continue;
      assert.ok(legacy.authorize(rule, { project_id: 'p1' }, creds(['admin'])), rule);
      assert.ok(legacy.authorize(rule, { project_id: 'p1' }, creds(['service'])), rule);
      if (rule !== 'placement:usages') assert.ok(!legacy.authorize(rule, { project_id: 'p1' }, creds(['member', 'reader'])), rule);
    }
  });

  it('lets a project reader read its own usages only', () => {
    assert.ok(legacy.authorize('placement:usages', { project_id: 'p1' }, creds(['reader'])));
    assert.ok(!legacy.authorize('placement:usages', { project_id: 'p2' }, creds(['reader'])));
    assert.ok(strict.authorize('placement:usages', { project_id: 'p1' }, creds(['reader'])));
  });

  it('keeps the reshaper for services once the new defaults are enforced', () => {
    assert.ok(legacy.authorize('placement:reshaper:reshape', {}, creds(['admin'])));
    assert.ok(!strict.authorize('placement:reshaper:reshape', {}, creds(['admin'])));
    assert.ok(strict.authorize('placement:reshaper:reshape', {}, creds(['service'])));
  });

  it('refuses system-scoped tokens when scope is enforced (scope_types project)', () => {
    assert.ok(!strict.authorize('placement:resource_providers:list', {}, { user_id: 'u', system_scope: 'all', roles: ['admin'] }));
  });
});
