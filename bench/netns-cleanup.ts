// Exit-hook cleanup of a benchmark's namespaces: synchronous, best effort.
import { execFileSync } from 'node:child_process';

/** Kills what runs in the namespaces starting with `prefix`, deletes them. */
export function cleanNamespacesSync(prefix: string): void {
  try {
    const ours = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
    for (const ns of ours) {
      try {
        for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter((p) => /^\d+$/.test(p))) {
          if (Number(pid) !== process.pid) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
        }
      } catch { /* namespace gone */ }
      try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* gone */ }
    }
  } catch { /* best effort */ }
}
