import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteTokenValidator } from '../../../src/core/http/remote-token-validator.js';
import { ADMIN_PASSWORD, startIdentity, type Harness } from '../../support/identity-harness.js';

describe('validating tokens from another service over HTTP', () => {
  let h: Harness;
  let validator: RemoteTokenValidator;
  before(async () => {
    h = await startIdentity();
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    validator = new RemoteTokenValidator({ authUrl: `${url}/v3`, username: 'admin', password: ADMIN_PASSWORD, projectName: 'admin' }, 0);
  });
  after(async () => h.close());

  test('a valid token yields the caller, its project and roles', async () => {
    const ctx = await validator.validate(h.adminToken);
    assert.equal(ctx.userName, 'admin');
    assert.equal(ctx.projectId, h.adminProjectId);
    assert.ok(ctx.roles.some((r) => r.name === 'admin'));
  });

  test('garbage and revoked tokens are 401', async () => {
    await assert.rejects(validator.validate('garbage'), (e: { status?: number }) => e.status === 401);
    const token = await h.login({ name: 'admin' }, ADMIN_PASSWORD, { project: { id: h.adminProjectId } });
    await validator.validate(token);
    await h.request('DELETE', '/v3/auth/tokens', { headers: { 'x-subject-token': token } });
    await assert.rejects(validator.validate(token), (e: { status?: number }) => e.status === 401);
  });
});
