import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PasswordHasher, parseHash } from '../../../src/identity/domain/password-hasher.js';

const hasher = new PasswordHasher({ logN: 10, blockSize: 8, parallelism: 1 });

test('a hash records its parameters and verifies only the right password', async () => {
  const stored = await hasher.hash('correct horse');
  const parsed = parseHash(stored);
  assert.equal(parsed?.logN, 10);
  assert.equal(parsed?.r, 8);
  assert.equal(parsed?.salt.length, 16);
  assert.equal(await hasher.verify('correct horse', stored), true);
  assert.equal(await hasher.verify('correct horsE', stored), false);
  assert.equal(await hasher.verify('', stored), false);
});

test('two hashes of one password differ (random salt)', async () => {
  assert.notEqual(await hasher.hash('same'), await hasher.hash('same'));
});

test('a missing or malformed stored hash never verifies', async () => {
  assert.equal(await hasher.verify('x', undefined), false);
  assert.equal(await hasher.verify('x', null), false);
  assert.equal(await hasher.verify('x', 'plaintext'), false);
});

test('hashes made with other parameters still verify', async () => {
  const stronger = new PasswordHasher({ logN: 11, blockSize: 8, parallelism: 2 });
  const stored = await stronger.hash('pw');
  assert.equal(await hasher.verify('pw', stored), true);
});
