import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapIdentity } from '../../../src/identity/bootstrap.js';
import { ADMIN_PASSWORD, startIdentity, type Harness } from '../../support/identity-harness.js';
import { snapshotTables } from '../../support/db-snapshot.js';

describe('nimbus bootstrap', () => {
  let h: Harness;
  before(async () => { h = await startIdentity(); });
  after(async () => h.close());

  const input = (password: string) => ({
    adminPassword: password, region: 'RegionOne',
    services: [{ type: 'identity', name: 'keystone', url: 'http://localhost:5000/v3' }],
  });

  test('re-running it changes nothing, not even the admin password', async () => {
    const tables = (await h.deps.db.introspection.getTables()).map((t) => t.name);
    const before = await snapshotTables(h.deps.db, tables);
    const again = await bootstrapIdentity(h.deps.db, h.deps.hasher, input('a-different-password'));
    assert.deepEqual(again.created, []);
    assert.equal(again.adminUserId, h.adminUserId);
    assert.equal(await snapshotTables(h.deps.db, tables), before);
    await h.login({ name: 'admin' }, ADMIN_PASSWORD);
  });

  test('it creates what is missing: a new service gets its three endpoints', async () => {
    const result = await bootstrapIdentity(h.deps.db, h.deps.hasher, {
      ...input(ADMIN_PASSWORD), services: [...input(ADMIN_PASSWORD).services, { type: 'image', name: 'glance', url: 'http://localhost:9292' }],
    });
    assert.deepEqual(result.created, ['service image', 'endpoint image public', 'endpoint image internal', 'endpoint image admin']);
    // Bootstrap runs before the API starts; a running service learns of it like of any other write.
    h.deps.changes.bump();
    const catalog = (await h.request('GET', '/v3/auth/catalog')).json().catalog as { type: string; endpoints: unknown[] }[];
    assert.equal(catalog.find((s) => s.type === 'image')?.endpoints.length, 3);
  });

  test('admin holds admin on the admin project and on the system, and admin implies member implies reader', async () => {
    const token = (await h.request('POST', '/v3/auth/tokens', { token: null, body: { auth: {
      identity: { methods: ['password'], password: { user: { id: h.adminUserId, password: ADMIN_PASSWORD } } }, scope: { system: { all: true } },
    } } })).json().token;
    assert.deepEqual(token.roles.map((r: { name: string }) => r.name), ['admin', 'member', 'reader']);
  });
});
