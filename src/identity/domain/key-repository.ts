// A Fernet key repository as keystone-manage keeps it: files named 0 (staged), 1..n; the highest
// number is the primary (signs new tokens), all keys validate. Rotation promotes the staged key.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync, unlinkSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface TokenKey {
  readonly index: number;
  readonly signing: Buffer;
  readonly encryption: Buffer;
}

export class KeyRepository {
  constructor(private readonly dir: string, private readonly maxActiveKeys: number) {}

  /** Creates the staged and first primary key when the repository is empty. */
  setup(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const indexes = this.indexes();
    if (!indexes.includes(0)) this.writeKey(0);
    if (indexes.filter((i) => i > 0).length === 0) this.writeKey(1);
  }

  rotate(): void {
    this.setup();
    const indexes = this.indexes();
    const next = Math.max(...indexes) + 1;
    renameSync(join(this.dir, '0'), join(this.dir, String(next)));
    this.writeKey(0);
    const secondaries = this.indexes().filter((i) => i > 0 && i !== next).sort((a, b) => a - b);
    // Keep maxActiveKeys in all: the staged key, the primary and the newest secondaries.
    while (secondaries.length > this.maxActiveKeys - 2) unlinkSync(join(this.dir, String(secondaries.shift())));
  }

  /** Keys with the primary first, as validation should try them. */
  load(): TokenKey[] {
    return this.indexes()
      .sort((a, b) => (a === 0 ? -0.5 : a) < (b === 0 ? -0.5 : b) ? 1 : -1)
      .map((index) => decodeKey(index, readFileSync(join(this.dir, String(index)), 'utf8')));
  }

  private indexes(): number[] {
    return readdirSync(this.dir).filter((n) => /^\d+$/.test(n)).map(Number);
  }

  private writeKey(index: number): void {
    const tmp = join(this.dir, `.tmp-${index}`);
    writeFileSync(tmp, randomBytes(32).toString('base64url'), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, join(this.dir, String(index)));
  }
}

function decodeKey(index: number, text: string): TokenKey {
  const raw = Buffer.from(text.trim(), 'base64url');
  if (raw.length !== 32) throw new Error(`token key ${index} is not 32 bytes`);
  return { index, signing: raw.subarray(0, 16), encryption: raw.subarray(16) };
}
