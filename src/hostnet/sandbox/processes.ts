// Ends every process living in a set of sandbox namespaces: SIGTERM, then SIGKILL after a grace
// period. Those processes live only in namespaces the sandbox owns, so they are the sandbox's
// (its agents' dnsmasq/haproxy, a test's helpers); pids come from `ip netns pids`, never names.
import { netnsPids } from '../netns.js';

const POLL_MS = 100;

async function pidsIn(namespaces: readonly string[]): Promise<number[]> {
  const lists = await Promise.all(namespaces.map((ns) => netnsPids(ns).catch(() => [] as number[])));
  // Never signal ourselves (or init), whatever the namespaces hold.
  return [...new Set(lists.flat())].filter((pid) => pid > 1 && pid !== process.pid);
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try { process.kill(pid, sig); } catch { /* already gone */ }
  }
}

async function waitEmpty(namespaces: readonly string[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await pidsIn(namespaces);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Returns the pids still alive at the end (normally none). */
export async function killNamespaceProcesses(namespaces: readonly string[], graceMs = 2000): Promise<number[]> {
  const pids = await pidsIn(namespaces);
  if (pids.length === 0) return [];
  signal(pids, 'SIGTERM');
  const stubborn = await waitEmpty(namespaces, graceMs);
  if (stubborn.length === 0) return [];
  signal(stubborn, 'SIGKILL');
  return waitEmpty(namespaces, graceMs);
}
