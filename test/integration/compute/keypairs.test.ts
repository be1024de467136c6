// Key pairs through the real compute app: generation, import, fingerprints, types, admins acting
// for other users, pagination, name rules and status codes by microversion, quota.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { sshPublicKeyLine } from '../../../src/compute/domain/ssh-keys.js';

const md5Fingerprint = (line: string): string =>
  [...createHash('md5').update(Buffer.from(line.split(' ')[1]!, 'base64')).digest()].map((b) => b.toString(16).padStart(2, '0')).join(':');

describe('compute key pairs', () => {
  let h: ComputeHarness;
  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('generates an RSA key pair at 2.1 (200, no type) whose halves match', async () => {
    const res = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, body: { keypair: { name: 'gen1' } } });
    assert.equal(res.statusCode, 200, res.body);
    const kp = res.json().keypair;
    assert.deepEqual(Object.keys(kp).sort(), ['fingerprint', 'name', 'private_key', 'public_key', 'user_id']);
    assert.equal(kp.user_id, h.alice.userId);
    assert.match(kp.public_key, /^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/);
    assert.match(kp.private_key, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal(kp.fingerprint, md5Fingerprint(kp.public_key));
    const derived = sshPublicKeyLine(createPublicKey(createPrivateKey(kp.private_key)), 'Generated-by-Nova');
    assert.equal(derived, kp.public_key);
  });

  it('imports ssh keys of every supported type with Nova\'s MD5 fingerprint', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    const lines = [sshPublicKeyLine(rsa, 'me@host'), sshPublicKeyLine(ed, '')];
    for (const [i, line] of lines.entries()) {
      const res = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.2', body: { keypair: { name: `imp${i}`, public_key: line } } });
      assert.equal(res.statusCode, 201, res.body);
      const kp = res.json().keypair;
      assert.equal(kp.private_key, undefined);
      assert.equal(kp.type, 'ssh');
      assert.equal(kp.public_key, line);
      assert.equal(kp.fingerprint, md5Fingerprint(line));
    }
  });

  it('refuses invalid keys, duplicate names and bad names', async () => {
    const bad = ['ssh-rsa', 'ssh-rsa notbase64!', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ', 'ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQC', 'garbage'];
    for (const public_key of bad) {
      const res = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.2', body: { keypair: { name: 'bad', public_key } } });
      assert.equal(res.statusCode, 400, public_key);
      assert.equal(res.json().badRequest.message, 'Keypair data is invalid: failed to generate fingerprint');
    }
    const dup = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.2', body: { keypair: { name: 'gen1' } } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().conflictingRequest.message, "Key pair 'gen1' already exists.");
    const unsafe = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.91', body: { keypair: { name: 'a@b.c' } } });
    assert.equal(unsafe.statusCode, 400);
    assert.match(unsafe.json().badRequest.message, /^An invalid 'name' value was provided\. The name must be: Only expected characters: \[_- 0123/);
    const spaces = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, body: { keypair: { name: ' x' } } });
    assert.equal(spaces.statusCode, 400);
    const typeAt21 = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, body: { keypair: { name: 'x', type: 'ssh' } } });
    assert.equal(typeAt21.statusCode, 400);
    assert.match(typeAt21.json().badRequest.message, /Additional properties are not allowed \('type' was unexpected\)/);
    const badType = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.2', body: { keypair: { name: 'x', type: 'pgp' } } });
    assert.equal(badType.statusCode, 400);
  });

  it('requires a public key and allows @ and . in names from 2.92', async () => {
    const gen = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.92', body: { keypair: { name: 'gen92' } } });
    assert.equal(gen.statusCode, 400);
    assert.match(gen.json().badRequest.message, /'public_key' is a required property$/);
    const line = sshPublicKeyLine(generateKeyPairSync('ed25519').publicKey, '');
    const ok = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.92', body: { keypair: { name: 'alice@host.example', public_key: line } } });
    assert.equal(ok.statusCode, 201, ok.body);
    const shown = await h.request('GET', `/v2.1/os-keypairs/${encodeURIComponent('alice@host.example')}`, { token: h.alice.token, version: '2.92' });
    assert.equal(shown.statusCode, 200);
  });

  it('generates and imports x509 certificates (2.2)', async () => {
    const res = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.2', body: { keypair: { name: 'win', type: 'x509' } } });
    assert.equal(res.statusCode, 201, res.body);
    const kp = res.json().keypair;
    assert.equal(kp.type, 'x509');
    const cert = new X509Certificate(kp.public_key);
    assert.equal(cert.subject, `CN=${h.alice.userId}`);
    assert.equal(kp.fingerprint, cert.fingerprint.toLowerCase());
    assert.ok(Buffer.from(kp.private_key, 'base64').length > 1000);
    const imported = await h.request('POST', '/v2.1/os-keypairs', { token: h.bob.token, version: '2.2', body: { keypair: { name: 'win', type: 'x509', public_key: kp.public_key } } });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.equal(imported.json().keypair.fingerprint, kp.fingerprint);
    const bad = await h.request('POST', '/v2.1/os-keypairs', { token: h.bob.token, version: '2.2', body: { keypair: { name: 'win2', type: 'x509', public_key: 'not a cert' } } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().badRequest.message, /^Keypair data is invalid: failed to generate X509 fingerprint\. Error message: /);
  });

  it('lists, shows and deletes with the fields and status codes of each microversion', async () => {
    const list21 = await h.request('GET', '/v2.1/os-keypairs', { token: h.alice.token });
    const first = list21.json().keypairs[0].keypair;
    assert.deepEqual(Object.keys(first), ['name', 'public_key', 'fingerprint']);
    const list22 = await h.request('GET', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.2' });
    assert.equal(list22.json().keypairs[0].keypair.type, 'ssh');
    const show = await h.request('GET', '/v2.1/os-keypairs/gen1', { token: h.alice.token, version: '2.2' });
    const kp = show.json().keypair;
    assert.deepEqual(Object.keys(kp).sort(), ['created_at', 'deleted', 'deleted_at', 'fingerprint', 'id', 'name', 'public_key', 'type', 'updated_at', 'user_id']);
    assert.equal(kp.deleted, false);
    assert.match(kp.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(typeof kp.id, 'number');
    const other = await h.request('GET', '/v2.1/os-keypairs/gen1', { token: h.bob.token });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().itemNotFound.message, `Keypair gen1 not found for user ${h.bob.userId}`);
    await h.request('POST', '/v2.1/os-keypairs', { token: h.bob.token, body: { keypair: { name: 'd21' } } });
    await h.request('POST', '/v2.1/os-keypairs', { token: h.bob.token, body: { keypair: { name: 'd22' } } });
    assert.equal((await h.request('DELETE', '/v2.1/os-keypairs/d21', { token: h.bob.token })).statusCode, 202);
    assert.equal((await h.request('DELETE', '/v2.1/os-keypairs/d22', { token: h.bob.token, version: '2.2' })).statusCode, 204);
    assert.equal((await h.request('DELETE', '/v2.1/os-keypairs/d22', { token: h.bob.token, version: '2.2' })).statusCode, 404);
  });

  it('lets admins act for another user from 2.10, and only admins', async () => {
    const create = await h.request('POST', '/v2.1/os-keypairs', { version: '2.10', body: { keypair: { name: 'for-bob', user_id: h.bob.userId } } });
    assert.equal(create.statusCode, 201, create.body);
    assert.equal(create.json().keypair.user_id, h.bob.userId);
    const bobSees = await h.request('GET', '/v2.1/os-keypairs/for-bob', { token: h.bob.token });
    assert.equal(bobSees.statusCode, 200);
    const adminShow = await h.request('GET', `/v2.1/os-keypairs/for-bob?user_id=${h.bob.userId}`, { version: '2.10' });
    assert.equal(adminShow.statusCode, 200);
    const adminList = await h.request('GET', `/v2.1/os-keypairs?user_id=${h.bob.userId}`, { version: '2.10' });
    assert.ok((adminList.json().keypairs as { keypair: { name: string } }[]).some((k) => k.keypair.name === 'for-bob'));
    const aliceTries = await h.request('GET', `/v2.1/os-keypairs?user_id=${h.bob.userId}`, { token: h.alice.token, version: '2.10' });
    assert.equal(aliceTries.statusCode, 403);
    assert.equal(aliceTries.json().forbidden.message, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.");
    const aliceCreates = await h.request('POST', '/v2.1/os-keypairs', { token: h.alice.token, version: '2.10', body: { keypair: { name: 'x', user_id: h.bob.userId } } });
    assert.equal(aliceCreates.statusCode, 403);
    const userIdAt29 = await h.request('POST', '/v2.1/os-keypairs', { version: '2.9', body: { keypair: { name: 'x', user_id: h.bob.userId } } });
    assert.equal(userIdAt29.statusCode, 400);
    const del = await h.request('DELETE', `/v2.1/os-keypairs/for-bob?user_id=${h.bob.userId}`, { version: '2.10' });
    assert.equal(del.statusCode, 204);
  });

  it('pages from 2.35 with keypairs_links, and refuses unknown parameters from 2.75', async () => {
    const t = await h.tenant();
    const line = sshPublicKeyLine(generateKeyPairSync('ed25519').publicKey, '');
    for (const name of ['k1', 'k2', 'k3']) {
      const res = await h.request('POST', '/v2.1/os-keypairs', { token: t.token, version: '2.35', body: { keypair: { name, public_key: line } } });
      assert.equal(res.statusCode, 201);
    }
    const page = await h.request('GET', '/v2.1/os-keypairs?limit=2', { token: t.token, version: '2.35' });
    assert.deepEqual(page.json().keypairs.map((k: { keypair: { name: string } }) => k.keypair.name), ['k1', 'k2']);
    assert.equal(page.json().keypairs_links[0].href, 'http://localhost:80/v2.1/os-keypairs?limit=2&marker=k2');
    const next = await h.request('GET', '/v2.1/os-keypairs?limit=2&marker=k2', { token: t.token, version: '2.35' });
    assert.deepEqual(next.json(), { keypairs: [{ keypair: next.json().keypairs[0].keypair }] });
    assert.equal(next.json().keypairs[0].keypair.name, 'k3');
    const ignored = await h.request('GET', '/v2.1/os-keypairs?limit=2', { token: t.token, version: '2.34' });
    assert.equal(ignored.json().keypairs.length, 3);
    const badMarker = await h.request('GET', '/v2.1/os-keypairs?marker=zz', { token: t.token, version: '2.35' });
    assert.equal(badMarker.statusCode, 400);
    assert.equal(badMarker.json().badRequest.message, 'Marker zz could not be found.');
    assert.equal((await h.request('GET', '/v2.1/os-keypairs?foo=1', { token: t.token, version: '2.74' })).statusCode, 200);
    const strict = await h.request('GET', '/v2.1/os-keypairs?foo=1', { token: t.token, version: '2.75' });
    assert.equal(strict.statusCode, 400);
    assert.equal(strict.json().badRequest.message, "Additional properties are not allowed ('foo' was unexpected)");
  });

  it('enforces the key_pairs quota per user', async () => {
    const t = await h.tenant();
    const set = await h.request('PUT', `/v2.1/os-quota-sets/${t.projectId}`, { body: { quota_set: { key_pairs: 1 } } });
    assert.equal(set.statusCode, 200, set.body);
    const line = sshPublicKeyLine(generateKeyPairSync('ed25519').publicKey, '');
    assert.equal((await h.request('POST', '/v2.1/os-keypairs', { token: t.token, body: { keypair: { name: 'q1', public_key: line } } })).statusCode, 200);
    const over = await h.request('POST', '/v2.1/os-keypairs', { token: t.token, body: { keypair: { name: 'q2', public_key: line } } });
    assert.equal(over.statusCode, 403);
    assert.equal(over.json().forbidden.message, 'Quota exceeded, too many key pairs.');
  });
});
