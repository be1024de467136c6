import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyRepository } from '../../../src/identity/domain/key-repository.js';
import { fernetDecrypt, fernetEncrypt } from '../../../src/identity/domain/fernet.js';
import { decodePayload, encodePayload, type TokenPayload } from '../../../src/identity/domain/token-payload.js';

function withRepo(fn: (repo: KeyRepository, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-keys-'));
  try {
    fn(new KeyRepository(join(dir, 'keys'), 3), join(dir, 'keys'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const payload: TokenPayload = {
  userId: 'u1', methods: ['password', 'token'], scope: { kind: 'project', id: 'p1' },
  issuedAt: 1_700_000_000_123, expiresAt: 1_700_003_600_123, auditIds: ['a1', 'a0'],
};

test('a token round-trips through encryption and payload encoding', () => {
  withRepo((repo) => {
    repo.setup();
    const keys = repo.load();
    const token = fernetEncrypt(keys[0]!, encodePayload(payload));
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodePayload(fernetDecrypt(keys, token)!), payload);
  });
});

test('every scope kind and an application credential survive encoding', () => {
  for (const scope of [{ kind: 'unscoped' }, { kind: 'domain', id: 'd' }, { kind: 'system' }] as const) {
    const p = { ...payload, scope, applicationCredentialId: 'ac' };
    assert.deepEqual(decodePayload(encodePayload(p)), p);
  }
});

test('a tampered token or one signed by an unknown key is refused', () => {
  withRepo((repo) => {
    repo.setup();
    const keys = repo.load();
    const token = fernetEncrypt(keys[0]!, encodePayload(payload));
    const flipped = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    assert.equal(fernetDecrypt(keys, flipped), undefined);
    assert.equal(fernetDecrypt(keys, 'not a token!'), undefined);
    assert.equal(fernetDecrypt(keys, ''), undefined);
    const other = new KeyRepository(join(tmpdir(), `nimbus-other-${process.pid}`), 3);
    other.setup();
    assert.equal(fernetDecrypt(other.load(), token), undefined);
    rmSync(join(tmpdir(), `nimbus-other-${process.pid}`), { recursive: true, force: true });
  });
});

test('rotation promotes the staged key, keeps old tokens valid, and prunes beyond the maximum', () => {
  withRepo((repo, dir) => {
    repo.setup();
    const before = repo.load();
    const oldToken = fernetEncrypt(before[0]!, encodePayload(payload));
    const staged = before.find((k) => k.index === 0)!;
    repo.rotate();
    const after = repo.load();
    assert.equal(after[0]!.index, 2, 'the new primary is the highest index');
    assert.deepEqual(after[0]!.signing, staged.signing, 'the staged key became primary');
    assert.ok(fernetDecrypt(after, oldToken), 'tokens signed by the old primary still validate');
    repo.rotate();
    repo.rotate();
    assert.equal(readdirSync(dir).filter((n) => /^\d+$/.test(n)).length, 3, 'at most maxActiveKeys keys');
    assert.equal(fernetDecrypt(repo.load(), oldToken), undefined, 'a pruned key no longer validates');
  });
});
