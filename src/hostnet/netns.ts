// Network namespace lifecycle (`ip netns`). Only ever called with nimbus-owned names.
import { run, runTolerating } from './exec.js';
import { assertNetnsName } from './names.js';
import { parseNetnsList, parsePids } from './ip-json.js';

const GONE = [/No such file or directory/];

export async function listNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['-json', 'netns', 'list']);
  return parseNetnsList(stdout);
}

/** Creates the namespace if missing (true if it did) and always brings its loopback up. */
export async function ensureNetns(name: string): Promise<boolean> {
  assertNetnsName(name);
  const created = await runTolerating('ip', ['netns', 'add', name], {}, [/File exists/]);
  await run('ip', ['link', 'set', 'lo', 'up'], { netns: name });
  return created;
}

export async function deleteNetns(name: string): Promise<void> {
  assertNetnsName(name);
  await runTolerating('ip', ['netns', 'delete', name], {}, GONE);
}

/** Pids of processes living in the namespace; [] if it does not exist. */
export async function netnsPids(name: string): Promise<number[]> {
  assertNetnsName(name);
  try {
    return parsePids((await run('ip', ['netns', 'pids', name])).stdout);
  } catch (error) {
    if ((await listNetns()).includes(name)) throw error;
    return [];
  }
}
