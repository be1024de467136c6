import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicySyntaxError, parseRule, renderRule } from '../../../src/core/policy/index.js';

const show = (source: string): string => renderRule(parseRule('r', source));

test('empty rule and @ always pass, ! never does', () => {
  assert.deepEqual(parseRule('r', ''), { kind: 'true' });
  assert.deepEqual(parseRule('r', '@'), { kind: 'true' });
  assert.deepEqual(parseRule('r', '!'), { kind: 'false' });
});

test('precedence is not > and > or', () => {
  assert.equal(show('role:a or role:b and role:c'), '(role:a or (role:b and role:c))');
  assert.equal(show('role:a and role:b or role:c'), '((role:a and role:b) or role:c)');
  assert.equal(show('not role:a and role:b'), '(not role:a and role:b)');
  assert.equal(show('not role:a or role:b and not role:c'), '(not role:a or (role:b and not role:c))');
  assert.equal(show('role:a or role:b or role:c'), '(role:a or role:b or role:c)');
  assert.equal(show('not not role:a'), 'not not role:a');
});

test('parentheses group, with or without surrounding spaces', () => {
  assert.equal(show('(role:a or role:b) and role:c'), '((role:a or role:b) and role:c)');
  assert.equal(show('not(role:a or role:b)'), 'not (role:a or role:b)');
  assert.equal(show('((role:a))'), 'role:a');
  assert.equal(show('(project_id:%(target.project.id)s)'), 'project_id:%(target.project.id)s');
});

test('operators are case-insensitive, as in oslo.policy', () => {
  assert.equal(show('role:a AND role:b Or NOT role:c'), '((role:a and role:b) or not role:c)');
});

test('check kinds parse to their node types', () => {
  assert.deepEqual(parseRule('r', 'rule:admin_required'), { kind: 'rule', name: 'admin_required' });
  const role = parseRule('r', 'role:Admin');
  assert.equal(role.kind, 'role');
  const cred = parseRule('r', 'token.project.domain.id:%(target.domain.id)s');
  assert.equal(cred.kind, 'credential');
  assert.deepEqual(cred.kind === 'credential' ? cred.path : undefined, ['token', 'project', 'domain', 'id']);
  assert.deepEqual(
    cred.kind === 'credential' ? cred.match.parts : undefined,
    [{ kind: 'ref', path: 'target.domain.id' }],
  );
  // role:compute:admin splits on the first colon only.
  const nested = parseRule('r', 'role:compute:admin');
  assert.equal(nested.kind === 'role' ? nested.match.source : undefined, 'compute:admin');
});

test('literal kinds follow Python literal syntax', () => {
  const value = (source: string): string | undefined => {
    const node = parseRule('r', source);
    return node.kind === 'literal' ? node.value : undefined;
  };
  assert.equal(value('True:%(enabled)s'), 'True');
  assert.equal(value('None:%(target.role.domain_id)s'), 'None');
  assert.equal(value("'Member':%(role.name)s"), 'Member');
  assert.equal(value('"a:b":%(x)s'), 'a:b');
  assert.equal(value('-0:%(x)s'), '0');
  assert.equal(value('1.0:%(x)s'), '1.0');
  assert.equal(value('true:%(x)s'), undefined, 'lower-case true is a credential name');
});

test('quoted matches are literals and may contain spaces', () => {
  const node = parseRule('r', "name:'my project' and role:a");
  assert.equal(node.kind, 'and');
  const first = node.kind === 'and' ? node.operands[0] : undefined;
  assert.deepEqual(first?.kind === 'credential' ? first.match.parts : undefined, [{ kind: 'text', text: 'my project' }]);
});

test('templates mix text and substitutions; %% is a literal percent', () => {
  const node = parseRule('r', 'name:pre-%(a.b)s-%%');
  assert.deepEqual(node.kind === 'credential' ? node.match.parts : undefined, [
    { kind: 'text', text: 'pre-' },
    { kind: 'ref', path: 'a.b' },
    { kind: 'text', text: '-%' },
  ]);
});

test('the legacy list-of-lists form is an OR of ANDs', () => {
  assert.equal(
    renderRule(parseRule('r', [['role:admin'], ['project_id:%(project_id)s', 'role:member']])),
    '(role:admin or (project_id:%(project_id)s and role:member))',
  );
  assert.equal(renderRule(parseRule('r', ['role:a'])), 'role:a');
  assert.deepEqual(parseRule('r', []), { kind: 'true' });
  assert.deepEqual(parseRule('r', [[]]), { kind: 'false' });
  assert.throws(() => parseRule('r', [['role:a or role:b']]), PolicySyntaxError);
});

function assertSyntaxError(source: string, fragment: RegExp): void {
  assert.throws(
    () => parseRule('identity:example', source),
    (err: unknown) =>
      err instanceof PolicySyntaxError && err.rule === 'identity:example' &&
      err.message.includes('identity:example') && fragment.test(err.message),
    `expected a PolicySyntaxError for ${JSON.stringify(source)}`,
  );
}

test('syntax errors name the rule and say what is wrong', () => {
  assertSyntaxError('role:a or', /end of rule/);
  assertSyntaxError('role:a role:b', /unexpected "role:b"/);
  assertSyntaxError('(role:a', /missing "\)"/);
  assertSyntaxError('role:a)', /unexpected "\)"/);
  assertSyntaxError('()', /unexpected "\)"/);
  assertSyntaxError('and role:a', /unexpected "and"/);
  assertSyntaxError('admin', /not a check/);
  assertSyntaxError(':x', /empty kind/);
  assertSyntaxError('role:', /empty match/);
  assertSyntaxError('   ', /blank/);
  assertSyntaxError('project_id:%(x', /unterminated substitution/);
  assertSyntaxError('project_id:%(x)d', /bad substitution/);
  assertSyntaxError('project_id:50%', /bad substitution/);
  assertSyntaxError("name:'open", /unterminated quoted string/);
  assertSyntaxError('rule:%(x)s', /cannot use substitutions/);
  assertSyntaxError('a..b:c', /not a valid attribute path/);
});

test('http and https checks are rejected as unsupported', () => {
  assertSyntaxError('http://example.com/check', /not supported/);
  assertSyntaxError('role:a or https://example.com', /not supported/);
});
