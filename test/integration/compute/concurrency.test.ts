// Racing writers: integer ids allocated as max+1 and unique names must settle as Nova's unique
// constraints do — every distinct create succeeds, of identical ones exactly one does, the rest
// get a 409, never a 500. Meaningful on PostgreSQL (SQLite serialises transactions).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { sshPublicKeyLine } from '../../../src/compute/domain/ssh-keys.js';

describe('compute concurrency', () => {
  let h: ComputeHarness;
  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('creates distinct flavors side by side, and one of identical ones', async () => {
    const distinct = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      h.request('POST', '/v2.1/flavors', { body: { flavor: { name: `race-${i}`, ram: 64, vcpus: 1, disk: 0 } } })));
    assert.deepEqual(distinct.map((r) => r.statusCode), Array(8).fill(200));
    const ids = await h.db.selectFrom('nova_flavor').select('id').execute();
    assert.equal(new Set(ids.map((r) => r.id)).size, ids.length);
    const same = await Promise.all(Array.from({ length: 8 }, () =>
      h.request('POST', '/v2.1/flavors', { body: { flavor: { name: 'race-same', ram: 64, vcpus: 1, disk: 0 } } })));
    assert.deepEqual(same.map((r) => r.statusCode).sort(), [200, ...Array(7).fill(409)]);
  });

  it('imports key pairs side by side, one per name, within the quota', async () => {
    const line = sshPublicKeyLine(generateKeyPairSync('ed25519').publicKey, '');
    const same = await Promise.all(Array.from({ length: 8 }, () =>
      h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, body: { keypair: { name: 'same', public_key: line } } })));
    assert.deepEqual(same.map((r) => r.statusCode).sort(), [200, ...Array(7).fill(409)]);
    const distinct = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      h.request('POST', '/v2.1/os-keypairs', { token: h.bob.token, body: { keypair: { name: `k${i}`, public_key: line } } })));
    assert.deepEqual(distinct.map((r) => r.statusCode), Array(8).fill(200));
  });

  it('sets quotas and access side by side without errors', async () => {
    const quotas = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { body: { quota_set: { instances: 10 + i, cores: 20 + i } } })));
    assert.deepEqual(quotas.map((r) => r.statusCode), Array(8).fill(200));
    await h.createFlavor({ name: 'race-private', id: 'race-private', ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': false });
    const access = await Promise.all(Array.from({ length: 4 }, () =>
      h.request('POST', '/v2.1/flavors/race-private/action', { body: { addTenantAccess: { tenant: h.alice.projectId } } })));
    assert.deepEqual(access.map((r) => r.statusCode).sort(), [200, 409, 409, 409]);
  });
});
