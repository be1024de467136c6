import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';

describe('security compliance: lockout and password history', () => {
  let h: Harness;
  let userId: string;
  before(async () => {
    h = await startIdentity({ identity: { securityCompliance: { lockoutFailureAttempts: 2, lockoutDurationSeconds: 1, uniqueLastPasswordCount: 3 } } });
    const res = await h.request('POST', '/v3/users', { body: { user: { name: 'carol', password: 'first-pass', domain_id: 'default' } } });
    userId = res.json().user.id;
  });
  after(async () => h.close());

  const attempt = (password: string) => h.request('POST', '/v3/auth/tokens', {
    token: null, body: { auth: { identity: { methods: ['password'], password: { user: { id: userId, password } } } } },
  });

  test('after N failures even the right password is refused until the lock expires', async () => {
    assert.equal((await attempt('first-pass')).statusCode, 201);
    assert.equal((await attempt('wrong-1')).statusCode, 401);
    assert.equal((await attempt('wrong-2')).statusCode, 401);
    assert.equal((await attempt('first-pass')).statusCode, 401, 'locked');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await attempt('first-pass')).statusCode, 201, 'unlocked after the duration');
    assert.equal((await attempt('wrong-3')).statusCode, 401);
    assert.equal((await attempt('first-pass')).statusCode, 201, 'a success resets the count');
  });

  test('a recent password cannot be reused through self-service', async () => {
    const change = (original: string, password: string) => h.request('POST', `/v3/users/${userId}/password`, {
      token: null, body: { user: { original_password: original, password } },
    });
    assert.equal((await change('first-pass', 'first-pass')).statusCode, 400, 'the current password');
    assert.equal((await change('first-pass', 'second-pass')).statusCode, 204);
    await new Promise((r) => setTimeout(r, 5));
    const reuse = await change('second-pass', 'first-pass');
    assert.equal(reuse.statusCode, 400, 'the one before');
    assert.match(reuse.json().error.message, /identical to a previous password/);
    assert.equal((await change('second-pass', 'third-pass')).statusCode, 204);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await change('third-pass', 'first-pass')).statusCode, 400, 'still among the last three');
    assert.equal((await change('third-pass', 'fourth-pass')).statusCode, 204);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await change('fourth-pass', 'first-pass')).statusCode, 204, 'old enough to reuse with a count of 3');
  });
});
