import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Enforcer, PolicyFileError, keystoneDefaults, loadPolicyFile, parsePolicyText, type Credentials,
} from '../../../src/core/policy/index.js';

function assertFileError(text: string, line: number | undefined, fragment: RegExp): void {
  assert.throws(
    () => parsePolicyText(text, 'policy.yaml'),
    (err: unknown) => err instanceof PolicyFileError && err.file === 'policy.yaml' && err.line === line &&
      fragment.test(err.message),
    `expected an error on line ${String(line)} for:\n${text}`,
  );
}

test('YAML: quoted and plain keys and values, comments, blank lines', () => {
  const rules = parsePolicyText([
    '---',
    '# Nimbus overrides',
    '"identity:get_user": "role:admin or user_id:%(target.user.id)s"',
    "'identity:list_users': 'role:reader and system_scope:all'  # trailing comment",
    'identity:create_user: role:admin and system_scope:all # plain, with comment',
    '',
    'identity:delete_user: "!"',
    "identity:update_user: 'name:''my project'''",
    'identity:get_group:',
    'identity:list_groups: ""',
  ].join('\n'), 'policy.yaml');
  assert.deepEqual(rules, {
    'identity:get_user': 'role:admin or user_id:%(target.user.id)s',
    'identity:list_users': 'role:reader and system_scope:all',
    'identity:create_user': 'role:admin and system_scope:all',
    'identity:delete_user': '!',
    'identity:update_user': "name:'my project'",
    'identity:get_group': '',
    'identity:list_groups': '',
  });
});

test('YAML: bad lines are reported with file and line', () => {
  assertFileError('a: role:x\n  nested: role:y', 2, /indented/);
  assertFileError('# c\njust text', 2, /rule_name: check string/);
  assertFileError('a: "role:x', 1, /unterminated/);
  assertFileError('a: "role:x" role:y', 1, /after the quoted/);
  assertFileError('a: [role:x]', 1, /quote/);
  assertFileError('a: !', 1, /quote/);
  assertFileError('a: true', 1, /boolean or number/);
  assertFileError('a: role:x and b: c', 1, /": "/);
  assertFileError('a: role:x\nb: role:y\na: role:z', 3, /already defined on line 1/);
});

test('a rule that does not parse is reported with its line', () => {
  assertFileError('a: role:x\nidentity:get_user: role:admin or\n', 2, /identity:get_user.*end of rule/);
  assertFileError('a: http://example.com', 1, /not supported/);
});

test('JSON: strings and list-of-lists, with line numbers for errors', () => {
  const rules = parsePolicyText('{\n  "a": "role:x",\n  "b": [["role:y"], ["role:z", "project_id:%(project_id)s"]],\n  "c": []\n}\n', 'p.json');
  assert.deepEqual(rules, { a: 'role:x', b: [['role:y'], ['role:z', 'project_id:%(project_id)s']], c: [] });
  const jsonError = (text: string, line: number): void => {
    assert.throws(() => parsePolicyText(text, 'p.json'), (err: unknown) =>
      err instanceof PolicyFileError && err.file === 'p.json' && err.line === line);
  };
  jsonError('{\n  "a": "role:x",\n  "b": \n}', 4);
  jsonError('{\n  "a": "role:x"\n  "b": "role:y"\n}', 3);
  jsonError('{\n  "a": 1\n}', 2);
  jsonError('{\n  "a": "role:x",\n  "b": "(role:y"\n}', 3);
  jsonError('{\n  "a": "x:y",\n  "a": "x:z"\n}', 3);
});

test('loadPolicyFile reads a real file and feeds an Enforcer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-policy-'));
  try {
    const path = join(dir, 'policy.yaml');
    // An operator lets project members create users in their own project's domain.
    writeFileSync(path, '"identity:create_user": "role:member and project_domain_id:%(target.user.domain_id)s"\n');
    const enforcer = new Enforcer(keystoneDefaults, { overrides: loadPolicyFile(path) });
    const member: Credentials = { user_id: 'm', project_id: 'p1', project_domain_id: 'd1', roles: ['member'] };
    assert.equal(enforcer.authorize('identity:create_user', { target: { user: { domain_id: 'd1' } } }, member), true);
    assert.equal(enforcer.authorize('identity:create_user', { target: { user: { domain_id: 'd2' } } }, member), false);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '# header\n"identity:get_user": "role:admin or"\n');
    assert.throws(() => loadPolicyFile(bad), (err: unknown) =>
      err instanceof PolicyFileError && err.file === bad && err.line === 2 && err.message.startsWith(`${bad}:2:`));
    assert.throws(() => loadPolicyFile(join(dir, 'missing.yaml')), (err: unknown) =>
      err instanceof PolicyFileError && err.line === undefined && /cannot read/.test(err.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
