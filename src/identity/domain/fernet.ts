// The Fernet token spec (version 0x80, timestamp, IV, AES-128-CBC, HMAC-SHA256), as Keystone's
// tokens use it. Only the payload encoding is ours.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenKey } from './key-repository.js';

const VERSION = 0x80;

export function fernetEncrypt(key: TokenKey, plaintext: Buffer, now = Date.now()): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key.encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = Buffer.alloc(9);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(Math.floor(now / 1000)), 1);
  const signed = Buffer.concat([header, iv, ciphertext]);
  const mac = createHmac('sha256', key.signing).update(signed).digest();
  return Buffer.concat([signed, mac]).toString('base64url');
}

/** Returns the plaintext, or undefined when no key authenticates the token. */
export function fernetDecrypt(keys: readonly TokenKey[], token: string): Buffer | undefined {
  if (token.length > 8192 || !/^[A-Za-z0-9_-]+={0,2}$/.test(token)) return undefined;
  const raw = Buffer.from(token.replace(/=+$/, ''), 'base64url');
  if (raw.length < 9 + 16 + 16 + 32 || raw[0] !== VERSION) return undefined;
  const signed = raw.subarray(0, raw.length - 32);
  const mac = raw.subarray(raw.length - 32);
  for (const key of keys) {
    const expected = createHmac('sha256', key.signing).update(signed).digest();
    if (!timingSafeEqual(expected, mac)) continue;
    try {
      const decipher = createDecipheriv('aes-128-cbc', key.encryption, signed.subarray(9, 25));
      return Buffer.concat([decipher.update(signed.subarray(25)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
