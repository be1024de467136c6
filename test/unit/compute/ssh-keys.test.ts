// Key parsing and fingerprints, checked against OpenSSH's own ssh-keygen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSshKeyPair, parseSshPublicKey, sshFingerprint, sshPublicKeyLine } from '../../../src/compute/domain/ssh-keys.js';
import { x509Fingerprint } from '../../../src/compute/domain/x509-keys.js';

async function withDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-ssh-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const keygenMd5 = (dir: string, line: string): string => {
  writeFileSync(join(dir, 'key.pub'), `${line}\n`);
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', join(dir, 'key.pub')], { encoding: 'utf8' });
  return /MD5:([0-9a-f:]+)/.exec(out)![1]!;
};

test('fingerprints match ssh-keygen for keys ssh-keygen made, of every type', async () => {
  await withDir((dir) => {
    for (const [type, bits] of [['rsa', '2048'], ['ed25519', ''], ['ecdsa', '256'], ['ecdsa', '384'], ['ecdsa', '521']]) {
      const file = join(dir, `id_${type}${bits}`);
      execFileSync('ssh-keygen', ['-q', '-t', type!, ...(bits ? ['-b', bits] : []), '-N', '', '-C', 'test@host', '-f', file]);
      const line = readFileSync(`${file}.pub`, 'utf8').trim();
      assert.ok(parseSshPublicKey(line), `${type} ${bits}`);
      assert.equal(sshFingerprint(line), keygenMd5(dir, line), `${type} ${bits}`);
    }
  });
});

test('keys we encode are keys ssh-keygen reads', async () => {
  await withDir(async (dir) => {
    const generated = await generateSshKeyPair();
    assert.match(generated.publicKey, / Generated-by-Nova$/);
    assert.equal(generated.fingerprint, keygenMd5(dir, generated.publicKey));
    writeFileSync(join(dir, 'id'), generated.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'id')], { encoding: 'utf8' }).trim();
    assert.equal(derived.split(' ').slice(0, 2).join(' '), generated.publicKey.split(' ').slice(0, 2).join(' '));
    const ed = sshPublicKeyLine(generateKeyPairSync('ed25519').publicKey, 'c');
    assert.equal(sshFingerprint(ed), keygenMd5(dir, ed));
  });
});

test('malformed keys are refused', () => {
  const good = sshPublicKeyLine(generateKeyPairSync('ed25519').publicKey, '');
  const [type, body] = good.split(' ') as [string, string];
  const bad = [
    '', 'ssh-ed25519', `${type}`, `ssh-rsa ${body}`, `${type} ${body.slice(0, -4)}`, `${type} ${body}!`, `${type}\t${body}`.replace('\t', ''),
    `sk-ssh-ed25519@openssh.com ${body}`, ` ${good}`, `${type} ${Buffer.concat([Buffer.from(body, 'base64'), Buffer.from([0])]).toString('base64')}`,
  ];
  for (const line of bad) assert.equal(sshFingerprint(line), undefined, line);
  assert.equal(sshFingerprint(`${type}\t${body}`), undefined, 'a tab where Nova splits on a space');
  assert.ok(sshFingerprint(`${good} trailing comment with spaces`));
});

test('x509 fingerprints are the SHA-1 of the certificate in lower-case colon hex', async () => {
  await withDir((dir) => {
    execFileSync('openssl', ['req', '-x509', '-nodes', '-days', '1', '-newkey', 'rsa:2048', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-subj', '/CN=u'], { stdio: 'ignore' });
    const pem = readFileSync(join(dir, 'c'), 'utf8');
    const der = execFileSync('openssl', ['x509', '-in', join(dir, 'c'), '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' });
    const expected = /=([0-9A-F:]+)/.exec(der)![1]!.toLowerCase();
    assert.deepEqual(x509Fingerprint(pem), { fingerprint: expected });
    assert.ok('error' in x509Fingerprint('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'));
    assert.ok('error' in x509Fingerprint('ssh-rsa AAAA'));
  });
});
