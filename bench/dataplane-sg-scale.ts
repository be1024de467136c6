// Security-group apply time against the number of rules: for N rules in a fresh group, the time
// from the PUT that puts an instance's port into the group until the port's ingress chain in the
// host's `inet nimbus-sg` holds the group's last rule, then one more rule added to that group with
// the N present. Beside it, what one apply costs at that size: the L2 state RPC, rendering the
// host's ruleset (in this process) and `nft -f` of it in the host namespace.
import { performance } from 'node:perf_hooks';
import { run } from '../src/hostnet/index.js';
import { PluginClient } from '../src/network/agents/common/plugin-client.js';
import { portDeviceName } from '../src/network/agents/common/state.js';
import { renderSecurityGroups, SG_TABLE } from '../src/network/agents/security-groups/render.js';
import type { BenchLog } from './bench-log.js';
import type { DataplaneEnv } from './dataplane-env.js';
import { nftList, quiesce, summarize, until } from './dataplane-probe.js';

export const SG_SCALE_RULES = [10, 100, 1000] as const;
const SG_SCALE_REPS = 3;

interface RuleSpec { min: number; prefix: string }

/** Rule i: its own tcp range and its own /24, so no two rules can merge into one. */
function ruleSpec(i: number): RuleSpec {
  return { min: 1024 + 3 * i, prefix: `10.${100 + (i >> 8)}.${i & 255}.0/24` };
}

function ruleBody(group: string, r: RuleSpec): Record<string, unknown> {
  return { security_group_id: group, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: r.min, port_range_max: r.min + 1, remote_ip_prefix: r.prefix };
}

/** The port's ingress chain (render.ts: `ingress-<port id[:11]>`) shows rule `r`. */
async function chainHas(env: DataplaneEnv, portId: string, r: RuleSpec): Promise<boolean> {
  const { stdout } = await run('nft', ['list', 'chain', 'inet', SG_TABLE, `ingress-${portId.slice(0, 11)}`], { netns: env.host.netns });
  return stdout.includes(`${r.min}-${r.min + 1}`) && stdout.includes(r.prefix);
}

/** What one apply costs with this host's current state: RPC, render, kernel transaction. */
async function applyCost(env: DataplaneEnv): Promise<{ l2_state_ms: number; render_ms: number; nft_apply_ms: number; ruleset_lines: number }> {
  const t0 = performance.now();
  const state = await new PluginClient(env.bus, env.host.name).l2State();
  const t1 = performance.now();
  const devices = new Set((await env.hostNs.links()).map((l) => l.name));
  // Bridge names do not change the cost; the kernel's own ruleset is what gets re-applied below.
  const text = renderSecurityGroups({
    ports: state.ports.map((port) => ({ port, bridge: `brq${port.network_id.slice(0, 11)}`, device: portDeviceName(port.id) })),
    securityGroups: state.security_groups, members: state.security_group_members, addressGroups: state.address_groups, existingDevices: devices,
  });
  const t2 = performance.now();
  // The agent's transaction for the table (render.ts's first lines), with what the kernel holds now.
  const replace = `table inet ${SG_TABLE}\ndelete table inet ${SG_TABLE}\n${await nftList(env.host.netns, 'inet', SG_TABLE)}`;
  const t3 = performance.now();
  await env.hostNs.nftApply(replace);
  return { l2_state_ms: t1 - t0, render_ms: t2 - t1, nft_apply_ms: performance.now() - t3, ruleset_lines: text.split('\n').length };
}

export interface SgScaleFigures {
  readonly apply: Record<string, ReturnType<typeof summarize>>;
  readonly extraRule: Record<string, ReturnType<typeof summarize>>;
  readonly cost: Record<string, Record<string, ReturnType<typeof summarize> | number>>;
}

export async function sgScale(env: DataplaneEnv, portId: string, defaultGroup: string, log: BenchLog): Promise<SgScaleFigures> {
  // Neutron's default quota (100 rules) would stop the 1,000-rule group.
  await env.api('PUT', `/v2.0/quotas/${env.net.adminProjectId}`, [200], { quota: { security_group: -1, security_group_rule: -1 } });
  const apply: SgScaleFigures['apply'] = {};
  const extraRule: SgScaleFigures['extraRule'] = {};
  const cost: SgScaleFigures['cost'] = {};
  for (const n of SG_SCALE_RULES) {
    const applied: number[] = [];
    const extra: number[] = [];
    const costs: Awaited<ReturnType<typeof applyCost>>[] = [];
    for (let rep = 0; rep < SG_SCALE_REPS; rep++) {
      const group = (await env.api('POST', '/v2.0/security-groups', [201], { security_group: { name: `bench-scale-${n}-${rep}` } })).security_group.id as string;
      const specs = Array.from({ length: n }, (_, i) => ruleSpec(i));
      await env.api('POST', '/v2.0/security-group-rules', [201], { security_group_rules: specs.map((r) => ruleBody(group, r)) });
      const last = specs.at(-1)!;
      await quiesce(env);
      await env.api('PUT', `/v2.0/ports/${portId}`, [200], { port: { security_groups: [group] } });
      const t0 = performance.now();
      applied.push(await until('nft_list_sg_chain', t0, () => chainHas(env, portId, last), 30_000));
      await quiesce(env);
      const one: RuleSpec = { min: 50_000 + 2 * rep, prefix: `172.31.${rep}.0/24` };
      await env.api('POST', '/v2.0/security-group-rules', [201], { security_group_rule: ruleBody(group, one) });
      const t1 = performance.now();
      extra.push(await until('nft_list_sg_chain', t1, () => chainHas(env, portId, one), 30_000));
      await quiesce(env);
      costs.push(await applyCost(env));
      log(`sg scale ${n} rules #${rep}: applied after ${applied.at(-1)!.toFixed(0)} ms, one more rule after ${extra.at(-1)!.toFixed(0)} ms, render ${costs.at(-1)!.render_ms.toFixed(1)} ms, nft -f ${costs.at(-1)!.nft_apply_ms.toFixed(1)} ms`);
      // Back to the default group (untimed) before the group goes.
      await env.api('PUT', `/v2.0/ports/${portId}`, [200], { port: { security_groups: [defaultGroup] } });
      await until('nft_list_sg_chain_back', performance.now(), async () => !(await chainHas(env, portId, last)), 30_000);
      await env.api('DELETE', `/v2.0/security-groups/${group}`, [204]);
    }
    apply[n] = summarize(applied);
    extraRule[n] = summarize(extra);
    cost[n] = {
      l2_state_rpc: summarize(costs.map((c) => c.l2_state_ms)), render: summarize(costs.map((c) => c.render_ms)),
      nft_apply: summarize(costs.map((c) => c.nft_apply_ms)), ruleset_lines: costs[0]?.ruleset_lines ?? 0,
    };
  }
  return { apply, extraRule, cost };
}
