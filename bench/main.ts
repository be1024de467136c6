// `npm run bench -- <service> [--out FILE] [--runs N]`: runs one service's benchmark and prints its
// JSON report on stdout (progress on stderr). A new service is one line in BENCHES; --runs goes to
// the benches that repeat a measurement a few times (lifecycle).
import { writeFileSync } from 'node:fs';
import { stderrLog, type BenchLog } from './bench-log.js';
import { runComputeBench } from './compute.js';
import { runDataplaneBench } from './dataplane.js';
import { runIdentityBench } from './identity.js';
import { runImageBench } from './image.js';
import { runLifecycleBench } from './lifecycle.js';
import { runNetworkBench } from './network.js';

export interface BenchOptions {
  /** --runs: how many times a bench that samples a few times repeats (its own default otherwise). */
  readonly runs?: number;
}

type Bench = (log: BenchLog, options: BenchOptions) => Promise<Record<string, unknown>>;

const BENCHES: Readonly<Record<string, Bench>> = {
  compute: runComputeBench,
  dataplane: runDataplaneBench,
  identity: runIdentityBench,
  image: runImageBench,
  lifecycle: runLifecycleBench,
  network: runNetworkBench,
};

const USAGE = `usage: npm run bench -- <service> [--out FILE] [--runs N]
  services: ${Object.keys(BENCHES).join(', ')}
  prints one JSON document on stdout; --out FILE writes it there too; --runs N samples (lifecycle)`;

class UsageError extends Error {}

interface BenchArgs {
  readonly bench: Bench;
  readonly out: string | undefined;
  readonly options: BenchOptions;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  let name: string | undefined;
  let out: string | undefined;
  let runs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') {
      out = argv[++i];
      if (!out) throw new UsageError('--out needs a file name');
    } else if (arg === '--runs') {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs needs a positive integer');
    } else if (arg.startsWith('-') || name !== undefined) {
      throw new UsageError(`unexpected argument: ${arg}`);
    } else {
      name = arg;
    }
  }
  if (name === undefined) throw new UsageError('no service given');
  const bench = Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (!bench) throw new UsageError(`unknown service: ${name}`);
  return { bench, out, options: runs === undefined ? {} : { runs } };
}

async function main(argv: readonly string[]): Promise<void> {
  const { bench, out, options } = parseArgs(argv);
  const json = `${JSON.stringify(await bench(stderrLog, options), null, 2)}\n`;
  process.stdout.write(json);
  if (out) writeFileSync(out, json);
}

// Ctrl-C or a kill: exit normally so the launcher's exit hook stops the all-in-one and removes its data.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
  else process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
});
