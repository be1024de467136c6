// nftables inside one namespace. Rulesets go through `nft -f -` so each apply is one transaction.
import { run, runTolerating } from './exec.js';
import { assertNftFamily, assertNftName } from './values.js';
import { parseNftTables } from './ip-json.js';

type Ns = string | undefined;

export async function nftApply(ns: Ns, ruleset: string): Promise<void> {
  await run('nft', ['-f', '-'], { netns: ns, input: ruleset.endsWith('\n') ? ruleset : `${ruleset}\n` });
}

export async function nftTables(ns: Ns): Promise<{ family: string; name: string }[]> {
  return parseNftTables((await run('nft', ['-j', 'list', 'tables'], { netns: ns })).stdout);
}

export async function nftDeleteTable(ns: Ns, family: string, name: string): Promise<void> {
  await runTolerating('nft', ['delete', 'table', assertNftFamily(family), assertNftName(name)], { netns: ns },
    [/No such file or directory/]);
}
