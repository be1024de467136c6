// OpenSSH public keys (RFC 4253 §6.6, RFC 5656, RFC 8709) for key pairs: parsing and checking an
// imported key as pyca/cryptography's load_ssh_public_key does, Nova's fingerprint (the MD5 of
// the key blob as colon-separated hex), and generating a key pair as Nova does (RSA 2048, the
// private key as a PKCS#1 PEM, the public key as "ssh-rsa AAAA… Generated-by-Nova").
import { createHash, createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A reader of the SSH wire encoding: uint32-length-prefixed strings. */
class SshReader {
  private at = 0;
  constructor(private readonly data: Buffer) {}

  string(): Buffer {
    if (this.at + 4 > this.data.length) throw new Error('truncated key data');
    const length = this.data.readUInt32BE(this.at);
    this.at += 4;
    if (length > this.data.length - this.at) throw new Error('truncated key data');
    const out = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  /** An mpint: a positive one here (a leading zero byte only when the top bit is set). */
  positiveMpint(): Buffer {
    const raw = this.string();
    if (raw.length === 0 || (raw[0]! & 0x80) !== 0) throw new Error('invalid key integer');
    if (raw.length > 1 && raw[0] === 0 && (raw[1]! & 0x80) === 0) throw new Error('invalid key integer');
    return raw[0] === 0 ? raw.subarray(1) : raw;
  }

  done(): void {
    if (this.at !== this.data.length) throw new Error('unexpected trailing data');
  }
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start += 1;
  const trimmed = unsigned.subarray(start);
  return sshString((trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

const b64url = (b: Buffer): string => b.toString('base64url');

const CURVES: Readonly<Record<string, { crv: string; bytes: number }>> = {
  nistp256: { crv: 'P-256', bytes: 32 },
  nistp384: { crv: 'P-384', bytes: 48 },
  nistp521: { crv: 'P-521', bytes: 66 },
};

/** The key inside a blob, as a node KeyObject (which checks the numbers make a real key). */
function loadBlob(type: string, blob: Buffer): KeyObject | undefined {
  const reader = new SshReader(blob);
  if (reader.string().toString('latin1') !== type) throw new Error('key type mismatch');
  let jwk: JsonWebKey | undefined;
  if (type === 'ssh-rsa') {
    const e = reader.positiveMpint();
    const n = reader.positiveMpint();
    if (n.length * 8 < 512) throw new Error('RSA key too small');
    jwk = { kty: 'RSA', n: b64url(n), e: b64url(e) };
  } else if (type === 'ssh-ed25519') {
    const key = reader.string();
    if (key.length !== 32) throw new Error('invalid Ed25519 key');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(key) };
  } else if (type.startsWith('ecdsa-sha2-')) {
    const curveName = type.slice('ecdsa-sha2-'.length);
    const curve = CURVES[curveName];
    if (curve === undefined || reader.string().toString('latin1') !== curveName) throw new Error('unsupported curve');
    const point = reader.string();
    if (point.length !== 1 + 2 * curve.bytes || point[0] !== 4) throw new Error('invalid curve point');
    jwk = { kty: 'EC', crv: curve.crv, x: b64url(point.subarray(1, 1 + curve.bytes)), y: b64url(point.subarray(1 + curve.bytes)) };
  } else if (type === 'ssh-dss') {
    for (let i = 0; i < 4; i += 1) reader.positiveMpint();
  } else {
    throw new Error('unsupported key type');
  }
  reader.done();
  return jwk === undefined ? undefined : createPublicKey({ key: jwk, format: 'jwk' });
}

export interface ParsedSshKey {
  readonly type: string;
  readonly blob: Buffer;
  /** The base64 field as given. */
  readonly body: string;
  readonly comment: string;
}

/**
 * An OpenSSH public key line ("type base64 [comment]"), checked as load_ssh_public_key checks
 * it; undefined when it is not one.
 */
export function parseSshPublicKey(text: string): ParsedSshKey | undefined {
  const m = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/s.exec(text.replace(/[\r\n]+$/, ''));
  if (m === null) return undefined;
  const [, type, body, comment] = m;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body!) || body!.length % 4 === 1) return undefined;
  const blob = Buffer.from(body!, 'base64');
  try {
    loadBlob(type!, blob);
  } catch {
    return undefined;
  }
  return { type: type!, blob, body: body!, comment: comment ?? '' };
}

/** Nova's crypto.generate_fingerprint(): MD5 of the blob, "aa:bb:…"; undefined for a bad key. */
export function sshFingerprint(publicKey: string): string | undefined {
  const parsed = parseSshPublicKey(publicKey);
  // Nova hashes the second space-separated field: with any other separator it has no key to hash.
  if (parsed === undefined || publicKey.split(' ')[1] !== parsed.body) return undefined;
  return colonHex(createHash('md5').update(parsed.blob).digest());
}

export function colonHex(digest: Buffer): string {
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The OpenSSH line of an RSA or Ed25519 public key. */
export function sshPublicKeyLine(key: KeyObject, comment: string): string {
  const jwk = key.export({ format: 'jwk' });
  let blob: Buffer;
  if (jwk.kty === 'RSA') {
    blob = Buffer.concat([sshString('ssh-rsa'), sshMpint(Buffer.from(jwk.e!, 'base64url')), sshMpint(Buffer.from(jwk.n!, 'base64url'))]);
  } else if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    blob = Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]);
  } else {
    throw new Error(`no OpenSSH encoding for ${jwk.kty} keys here`);
  }
  const type = jwk.kty === 'RSA' ? 'ssh-rsa' : 'ssh-ed25519';
  return `${type} ${blob.toString('base64')}${comment === '' ? '' : ` ${comment}`}`;
}

export interface GeneratedKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** Nova's crypto.generate_key_pair(): RSA (2048 bits), off the event loop. */
export async function generateSshKeyPair(bits = 2048): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicExponent: 65537,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const line = sshPublicKeyLine(createPublicKey(publicKey), 'Generated-by-Nova');
  return { privateKey, publicKey: line, fingerprint: sshFingerprint(line)! };
}
