// `npm run bench -- identity`: token issue and validate against the real all-in-one over HTTP,
// the password hash alone in-process, and the all-in-one's resident memory; one JSON report.
import { cpus, release, totalmem } from 'node:os';
import { launchAllInOne, type AllInOneProcess } from './all-in-one-process.js';
import type { BenchLog } from './bench-log.js';
import { identityHttp, type IdentityHttp } from './identity-http.js';
import { judgeIdentityTargets, KEYSTONE_VALIDATE_P50_MS } from './identity-targets.js';
import { timeBcrypt12, timeScrypt, type ScryptFigures } from './password-hash.js';
import { readProcMemory, settledProcMemory } from './proc-memory.js';
import { runClients, type LoadFigures } from './run-clients.js';
import { round2 } from './stats.js';

// Bounded loops: issue is scrypt-bound (a few per second per core), validate is cheap.
const ISSUE = { sequential: 20, clients: 8, perClient: 5, warmup: 2 } as const;
const VALIDATE = { sequential: 2000, clients: 8, perClient: 500, warmup: 100 } as const;
const HASH_RUNS = { scrypt: 10, bcrypt: 10 } as const;

interface HttpFigures {
  readonly token_issue: { readonly clients_1: LoadFigures; readonly clients_8: LoadFigures };
  readonly token_validate: { readonly clients_1: LoadFigures; readonly clients_8: LoadFigures };
  readonly memory_mb: { readonly idle: number; readonly peak_at_idle: number; readonly after_load: number; readonly peak: number };
  readonly scrypt: ScryptFigures;
}

function machine(): Record<string, unknown> {
  return { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, node: process.version, kernel: release(), memory_mb: Math.round(totalmem() / 2 ** 20) };
}

async function measureIssue(http: IdentityHttp, log: BenchLog): Promise<HttpFigures['token_issue']> {
  for (let i = 0; i < ISSUE.warmup; i++) await http.issueToken();
  log(`token issue: 1 client x ${ISSUE.sequential}`);
  const clients_1 = await runClients(1, ISSUE.sequential, async () => { await http.issueToken(); });
  log(`token issue: ${ISSUE.clients} clients x ${ISSUE.perClient}`);
  const clients_8 = await runClients(ISSUE.clients, ISSUE.perClient, async () => { await http.issueToken(); });
  return { clients_1, clients_8 };
}

async function measureValidate(http: IdentityHttp, log: BenchLog): Promise<HttpFigures['token_validate']> {
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
  // The hash alone is timed here, with the cloud up but idle, right before the issue loop it is
  // subtracted from: this machine's speed drifts over minutes, so the two are measured side by side.
  log(`scrypt x ${HASH_RUNS.scrypt} (in this process, the cloud idle)`);
  const scrypt = await timeScrypt(HASH_RUNS.scrypt);
  const token_issue = await measureIssue(http, log);
  const token_validate = await measureValidate(http, log);
  const after = readProcMemory(cloud.pid);
  return {
    token_issue, token_validate, scrypt,
    memory_mb: { idle: idle.rssMb, peak_at_idle: idle.peakMb, after_load: after.rssMb, peak: after.peakMb },
  };
}

export async function runIdentityBench(log: BenchLog): Promise<Record<string, unknown>> {
  log('starting the all-in-one (default password hash cost)');
  const cloud = await launchAllInOne();
  let figures: HttpFigures;
  try {
    log(`all-in-one pid ${cloud.pid} at ${cloud.identityUrl}`);
    figures = await measureOverHttp(cloud, log);
  } finally {
    await cloud.stop();
  }
  log(`bcrypt(12) x ${HASH_RUNS.bcrypt} (python3-bcrypt)`);
  const { scrypt, ...httpFigures } = figures;
  const bcrypt12 = await timeBcrypt12(HASH_RUNS.bcrypt);
  const issueP50 = figures.token_issue.clients_1.p50_ms;
  const issueOverheadMs = issueP50 !== null && scrypt.p50_ms !== null ? round2(issueP50 - scrypt.p50_ms) : null;
  const validateP50Ms = figures.token_validate.clients_1.p50_ms;
  return {
    service: 'identity',
    date: new Date().toISOString(),
    machine: machine(),
    ...httpFigures,
    password_hash: { scrypt, bcrypt12 },
    issue_overhead_ms: issueOverheadMs,
    validate_speedup_vs_keystone: validateP50Ms ? round2(KEYSTONE_VALIDATE_P50_MS / validateP50Ms) : null,
    targets: judgeIdentityTargets({
      issueOverheadMs, validateP50Ms, memoryAfterLoadMb: figures.memory_mb.after_load, memoryPeakMb: figures.memory_mb.peak,
    }),
  };
}
