// ICMP probes of a guest from a namespace on its network (the network's qdhcp namespace):
// waiting until it answers, and a continuous ping whose gaps show how long it did not.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One `ping -c1 -W1` after another until a reply; throws after `timeoutMs`. */
export async function waitGuestPing(netns: string, ip: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await run('ip', ['netns', 'exec', netns, 'ping', '-n', '-q', '-c1', '-W1', ip], { timeout: 5000 }).then(() => true, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no ping reply from ${ip} (in ${netns}) in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PingOutage {
  readonly intervalMs: number;
  readonly sent: number;
  readonly received: number;
  /** Replies missing in all × the interval. */
  readonly lostMs: number;
  /** The longest run of consecutive missing replies × the interval. */
  readonly longestGapMs: number;
}

export interface PingMonitor { stop(): Promise<PingOutage> }

/** `ping -i <intervalMs>` (root: below 200 ms) until stop(); counts by icmp_seq which replies came back. */
export function startPingMonitor(netns: string, ip: string, intervalMs = 50): PingMonitor {
  const child = spawn('ip', ['netns', 'exec', netns, 'ping', '-n', '-i', String(intervalMs / 1000), '-W', '1', ip], { stdio: ['ignore', 'pipe', 'ignore'] });
  const seqs: number[] = [];
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    for (const line of lines) {
      const m = /icmp_seq=(\d+)/.exec(line);
      if (m && !/Unreachable/.test(line)) seqs.push(Number(m[1]));
    }
  });
  const started = Date.now();
  return {
    async stop(): Promise<PingOutage> {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGINT');
      await exited;
      // Sent: as many as the interval allowed while it ran, less the last second (still in flight).
      const sent = Math.max(seqs.at(-1) ?? 0, Math.floor((Date.now() - started - 1000) / intervalMs));
      const got = [...new Set(seqs)].sort((a, b) => a - b);
      let longest = got.length === 0 ? sent : got[0]! - 1;
      for (let i = 1; i < got.length; i++) longest = Math.max(longest, got[i]! - got[i - 1]! - 1);
      const received = got.filter((s) => s <= sent).length;
      return { intervalMs, sent, received, lostMs: (sent - received) * intervalMs, longestGapMs: longest * intervalMs };
    },
  };
}
