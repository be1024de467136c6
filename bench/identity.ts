// `npm run bench -- identity`: token issue and validate against the real all-in-one over HTTP,
// the password hash alone in-process, and the all-in-one's resident memory; one JSON report.
import { measureInProcessOverhead } from './identity-in-process.js';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { launchAllInOne, type AllInOneProcess } from './all-in-one-process.js';
import type { BenchLog } from './bench-log.js';
import { identityHttp, type IdentityHttp } from './identity-http.js';
import { judgeIdentityTargets, KEYSTONE_VALIDATE_P50_MS } from './identity-targets.js';
import { scryptFigures, scryptProbe, timeBcrypt12, type ScryptFigures } from './password-hash.js';
import { readProcMemory, settledProcMemory } from './proc-memory.js';
import { runAlternating } from './run-alternating.js';
import { runClients, type LoadFigures } from './run-clients.js';
import { round2 } from './stats.js';

// Bounded loops: issue is scrypt-bound (a few per second per core), validate is cheap.
const ISSUE = { sequential: 20, clients: 8, perClient: 5, warmup: 2 } as const;
const VALIDATE = { sequential: 2000, clients: 8, perClient: 500, warmup: 100 } as const;
const BCRYPT_RUNS = 10;

type Pair = { readonly clients_1: LoadFigures; readonly clients_8: LoadFigures };

interface HttpFigures {
  readonly token_issue: Pair;
  readonly token_issue_by_token: { readonly clients_1: LoadFigures };
  readonly token_validate: Pair;
  readonly memory_mb: { readonly idle: number; readonly peak_at_idle: number; readonly after_load: number; readonly peak: number };
  readonly scrypt: ScryptFigures;
}

function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, node: process.version, kernel: release(),
    memory_mb: Math.round(totalmem() / 2 ** 20), load_average_1m_at_start: round2(loadavg()[0] ?? null),
  };
}

/**
 * Password issue, 1 client alternating with the hash alone in this process (same drift on both,
 * see run-alternating.ts), then 8 clients; and token-method issue, the same path without a hash.
 */
async function measureIssue(http: IdentityHttp, log: BenchLog): Promise<Pick<HttpFigures, 'token_issue' | 'token_issue_by_token' | 'scrypt'>> {
  const probe = await scryptProbe();
  for (let i = 0; i < ISSUE.warmup; i++) await http.issueToken();
  log(`token issue: 1 client x ${ISSUE.sequential}, alternating with scrypt in-process`);
  const paired = await runAlternating(ISSUE.sequential, async () => { await http.issueToken(); }, probe.verifyOnce);
  log(`token issue: ${ISSUE.clients} clients x ${ISSUE.perClient}`);
  const clients_8 = await runClients(ISSUE.clients, ISSUE.perClient, async () => { await http.issueToken(); });
  const base = await http.issueToken();
  log(`token issue by token method: 1 client x ${ISSUE.sequential}`);
  const byToken = await runClients(1, ISSUE.sequential, async () => { await http.issueTokenFromToken(base); });
  return {
    token_issue: { clients_1: paired.a, clients_8 },
    token_issue_by_token: { clients_1: byToken },
    scrypt: scryptFigures(probe.params, paired.bLatenciesMs),
  };
}

async function measureValidate(http: IdentityHttp, log: BenchLog): Promise<Pair> {
  const authToken = await http.issueToken();
  const subjectToken = await http.issueToken();
  const validate = (): Promise<void> => http.validateToken(authToken, subjectToken);
  for (let i = 0; i < VALIDATE.warmup; i++) await validate();
  log(`token validate: 1 client x ${VALIDATE.sequential}`);
  const clients_1 = await runClients(1, VALIDATE.sequential, validate);
  log(`token validate: ${VALIDATE.clients} clients x ${VALIDATE.perClient}`);
  const clients_8 = await runClients(VALIDATE.clients, VALIDATE.perClient, validate);
  return { clients_1, clients_8 };
}

async function measureOverHttp(cloud: AllInOneProcess, log: BenchLog): Promise<HttpFigures> {
  const idle = await settledProcMemory(cloud.pid);
  const http = identityHttp(cloud.identityUrl, { username: 'admin', password: cloud.adminPassword, project: 'admin', domain: 'Default' });
  const issue = await measureIssue(http, log);
  const token_validate = await measureValidate(http, log);
  const after = readProcMemory(cloud.pid);
  return {
    ...issue, token_validate,
    memory_mb: { idle: idle.rssMb, peak_at_idle: idle.peakMb, after_load: after.rssMb, peak: after.peakMb },
  };
}

export async function runIdentityBench(log: BenchLog): Promise<Record<string, unknown>> {
  const host = machine();
  log('starting the all-in-one (default password hash cost)');
  const cloud = await launchAllInOne();
  let figures: HttpFigures;
  try {
    log(`all-in-one pid ${cloud.pid} at ${cloud.identityUrl}`);
    figures = await measureOverHttp(cloud, log);
  } finally {
    await cloud.stop();
  }
  log('token issue vs hash in one process');
  const inProcess = await measureInProcessOverhead();
  log(`bcrypt(12) x ${BCRYPT_RUNS} (python3-bcrypt)`);
  const bcrypt12 = await timeBcrypt12(BCRYPT_RUNS);
  const { scrypt, ...httpFigures } = figures;
  const issueP50 = figures.token_issue.clients_1.p50_ms;
  const issueOverheadMs = issueP50 !== null && scrypt.p50_ms !== null ? round2(issueP50 - scrypt.p50_ms) : null;
  const validateP50Ms = figures.token_validate.clients_1.p50_ms;
  return {
    service: 'identity',
    date: new Date().toISOString(),
    machine: host,
    ...httpFigures,
    password_hash: { scrypt, bcrypt12 },
    issue_overhead_ms: issueOverheadMs,
    issue_overhead_in_process: inProcess,
    validate_speedup_vs_keystone: validateP50Ms ? round2(KEYSTONE_VALIDATE_P50_MS / validateP50Ms) : null,
    targets: judgeIdentityTargets({
      issueOverheadMs, issueOverheadInProcessMs: inProcess.overhead_ms, validateP50Ms, memoryAfterLoadMb: figures.memory_mb.after_load, memoryPeakMb: figures.memory_mb.peak,
    }),
  };
}
