// x509 key pairs (microversion 2.2, for WinRM certificate logins to Windows guests), as
// nova/crypto.py does them: an imported certificate's fingerprint is the SHA-1 of its DER as
// colon-separated lower-case hex; a generated one is a self-signed client certificate for
// CN=<user id> with the user principal name <user id>@localhost, made by openssl exactly as
// Nova runs it, its private key returned as a base64 PKCS#12 bundle with an empty password.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Nova's generate_x509_fingerprint(); the reason it failed otherwise. */
export function x509Fingerprint(pem: string): { fingerprint: string } | { error: string } {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { error: 'Unable to load certificate' };
  try {
    const cert = new X509Certificate(pem);
    return { fingerprint: cert.fingerprint.toLowerCase() };
  } catch (err) {
    return { error: (err as Error).message.slice(0, 200) };
  }
}

/** Characters that can go into openssl's -subj and config file without quoting. */
const SAFE_USER_ID = /^[A-Za-z0-9_.@-]{1,255}$/;

export interface GeneratedCertificate {
  /** base64 PKCS#12 holding the private key and certificate. */
  readonly privateKey: string;
  /** The certificate, PEM. */
  readonly certificate: string;
  readonly fingerprint: string;
}

/** Nova's generate_winrm_x509_cert(); undefined when the user id cannot be a subject here. */
export async function generateX509KeyPair(userId: string, bits = 2048): Promise<GeneratedCertificate | undefined> {
  if (!SAFE_USER_ID.test(userId)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-x509-'));
  try {
    const keyFile = join(dir, 'temp.key');
    const confFile = join(dir, 'temp.conf');
    const certFile = join(dir, 'temp.pem');
    await writeFile(confFile, [
      'distinguished_name  = req_distinguished_name',
      '[req_distinguished_name]',
      '[v3_req_client]',
      'extendedKeyUsage = clientAuth',
      `subjectAltName = otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${userId}@localhost`,
      '',
    ].join('\n'), { mode: 0o600 });
    await run('openssl', ['req', '-x509', '-nodes', '-days', '3650', '-config', confFile, '-newkey', `rsa:${bits}`,
      '-outform', 'PEM', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${userId}`, '-extensions', 'v3_req_client'],
    { timeout: 60_000 });
    const certificate = await readFile(certFile, 'utf8');
    const bundleFile = join(dir, 'temp.p12');
    await run('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-out', bundleFile, '-password', 'pass:'], { timeout: 60_000 });
    const privateKey = (await readFile(bundleFile)).toString('base64');
    const fp = x509Fingerprint(certificate);
    if (!('fingerprint' in fp)) throw new Error(`openssl made a certificate node cannot read: ${fp.error}`);
    return { privateKey, certificate, fingerprint: fp.fingerprint };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
