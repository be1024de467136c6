// Runs kernel tools with argument arrays (never a shell), optionally inside a network namespace.
import { execFile } from 'node:child_process';

export interface HostnetErrorDetails {
  command: string;
  args: readonly string[];
  stderr?: string;
  exitCode?: number | null;
}

/** A kernel command failed (or its input was refused before it ran). */
export class HostnetError extends Error {
  readonly command: string;
  readonly args: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(message: string, details: HostnetErrorDetails) {
    super(message);
    this.name = 'HostnetError';
    this.command = details.command;
    this.args = [...details.args];
    this.stderr = details.stderr ?? '';
    this.exitCode = details.exitCode ?? null;
  }
}

export interface RunOptions {
  netns?: string;
  input?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
// `nft -j list ruleset` and fdb dumps on a busy host get large; never truncate them.
const MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Where a command really runs: `ip`/`bridge` switch namespace themselves (`-n`), anything else
 * goes through `ip netns exec`, which execs the command (same pid, no shell).
 * The caller validates the namespace name (NetnsHost does); run() trusts it.
 */
export function commandLine(cmd: string, args: readonly string[], netns: string | undefined): [string, string[]] {
  if (netns === undefined) return [cmd, [...args]];
  if (cmd === 'ip' || cmd === 'bridge') return [cmd, ['-n', netns, ...args]];
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const [file, argv] = commandLine(cmd, args, options.netns);
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = execFile(file, argv, { timeout, maxBuffer: MAX_BUFFER, encoding: 'utf8', killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (!error) { resolve({ stdout, stderr }); return; }
        const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string | null };
        const exitCode = typeof e.code === 'number' ? e.code : null;
        const shown = [file, ...argv].join(' ');
        let reason: string;
        if (e.code === 'ENOENT') reason = `${file}: command not found`;
        else if (e.killed || e.signal) reason = e.killed && timeout > 0 ? `timed out after ${timeout} ms` : `killed by ${e.signal}`;
        else if (exitCode !== null) reason = `exit code ${exitCode}`;
        else reason = e.message;
        const detail = stderr.trim();
        reject(new HostnetError(`${shown}: ${reason}${detail ? `: ${detail}` : ''}`,
          { command: file, args: argv, stderr, exitCode }));
      });
    // Without input the child must see EOF at once, or tools reading stdin would hang.
    child.stdin?.on('error', () => { /* child exited before reading; reported via the callback */ });
    child.stdin?.end(options.input ?? '');
  });
}

/** True if the failure's stderr matches one of the patterns ("already gone" style errors). */
export function stderrMatches(error: unknown, patterns: readonly RegExp[]): boolean {
  return error instanceof HostnetError && patterns.some((p) => p.test(error.stderr));
}

/** Runs a command and treats the listed stderr patterns as success (idempotent deletes). */
export async function runTolerating(cmd: string, args: readonly string[], options: RunOptions, patterns: readonly RegExp[]): Promise<boolean> {
  try {
    await run(cmd, args, options);
    return true;
  } catch (error) {
    if (stderrMatches(error, patterns)) return false;
    throw error;
  }
}
