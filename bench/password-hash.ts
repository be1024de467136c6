// The cost of the password hash alone, measured in this process: Nimbus's scrypt at the shipped
// default parameters (the same code a login runs), and bcrypt at cost 12 (Keystone's default) via
// Debian's python3-bcrypt for comparison.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseConfig, type PasswordHashConfig } from '../src/core/config.js';
import { PasswordHasher } from '../src/identity/domain/password-hasher.js';
import { round2, summarizeLatencies } from './stats.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

export interface ScryptFigures {
  readonly params: PasswordHashConfig;
  readonly runs: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
}

export type BcryptFigures =
  | { readonly cost: 12; readonly runs: number; readonly p50_ms: number | null; readonly measured_with: string }
  | { readonly cost: 12; readonly p50_ms: null; readonly reason: string };

export interface ScryptProbe {
  readonly params: PasswordHashConfig;
  /** One `verify` of a stored hash: one scrypt derivation, exactly what a password login pays. */
  verifyOnce(): Promise<void>;
}

/** Nimbus's own hasher at the defaults of an empty configuration, warmed up. */
export async function scryptProbe(): Promise<ScryptProbe> {
  const params = parseConfig({}).identity.passwordHash;
  const hasher = new PasswordHasher(params);
  const stored = await hasher.hash('bench-password');
  const verifyOnce = async (): Promise<void> => {
    if (!(await hasher.verify('bench-password', stored))) throw new Error('scrypt verify failed');
  };
  await verifyOnce();
  return { params, verifyOnce };
}

export function scryptFigures(params: PasswordHashConfig, latenciesMs: readonly number[]): ScryptFigures {
  const { p50_ms, p95_ms } = summarizeLatencies(latenciesMs);
  return { params, runs: latenciesMs.length, p50_ms, p95_ms };
}

const BCRYPT_SCRIPT = `
import bcrypt, json, sys, time
runs = int(sys.argv[1])
salt = bcrypt.gensalt(12)
stored = bcrypt.hashpw(b"bench-password", salt)
out = []
for _ in range(runs):
    t = time.perf_counter()
    assert bcrypt.checkpw(b"bench-password", stored)
    out.append((time.perf_counter() - t) * 1000.0)
print(json.dumps({"version": bcrypt.__version__, "ms": out}))
`;

export async function timeBcrypt12(runs: number): Promise<BcryptFigures> {
  try {
    const { stdout } = await run(PYTHON, ['-c', BCRYPT_SCRIPT, String(runs)], { timeout: 120_000 });
    const result = JSON.parse(stdout) as { version: string; ms: number[] };
    return { cost: 12, runs, p50_ms: round2(summarizeLatencies(result.ms).p50_ms), measured_with: `${PYTHON} python3-bcrypt ${result.version}` };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${PYTHON} not found` : `python3-bcrypt unusable: ${(err as Error).message.split('\n').slice(-2).join(' ').trim()}`;
    return { cost: 12, p50_ms: null, reason };
  }
}
