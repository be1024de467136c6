import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PolicyCycleError, PolicyError, PolicyFileError, PolicyForbidden, PolicyNotRegistered, PolicySyntaxError,
} from '../../../src/core/policy/index.js';

test('every policy error has a distinct code and a message naming its subject', () => {
  const errors: readonly [PolicyError, string][] = [
    [new PolicySyntaxError('identity:x', 'bad'), 'identity:x'],
    [new PolicyCycleError(['a', 'b', 'a']), 'a -> b -> a'],
    [new PolicyNotRegistered('identity:y'), 'identity:y'],
    [new PolicyForbidden('identity:z'), 'identity:z'],
    [new PolicyFileError('/etc/policy.yaml', 3, 'bad'), '/etc/policy.yaml:3'],
  ];
  const codes = new Set<string>();
  for (const [err, subject] of errors) {
    assert.ok(err instanceof Error && err instanceof PolicyError);
    assert.match(err.code, /^POLICY_/);
    assert.ok(err.message.includes(subject), `${err.name}: ${err.message}`);
    assert.notEqual(err.name, 'Error');
    codes.add(err.code);
  }
  assert.equal(codes.size, errors.length);
  assert.equal(new PolicyForbidden('r').status, 403);
  assert.equal(new PolicyFileError('f', undefined, 'gone').message, 'f: gone');
});
