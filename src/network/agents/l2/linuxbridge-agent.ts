// The Linux-bridge L2 agent (neutron-linuxbridge-agent with l2population and an nftables
// security-group firewall) for one host namespace. Each reconcile fetches the host's whole
// L2State, then: bridges and uplinks (wiring.ts), the security-group ruleset (before any new tap
// joins a bridge), taps into bridges (ports.ts), l2pop FDB/neighbour entries (fdb.ts), removal of
// our devices for networks that left the host, and port status back to the server.
import { NetnsHost, type KernelCapabilities } from '../../../hostnet/index.js';
import type { AgentSettings, ReconcilingAgent } from '../common/agent-loop.js';
import type { PluginClient } from '../common/plugin-client.js';
import { portDeviceName, type L2State } from '../common/state.js';
import { renderSecurityGroups, assignZones, SG_TABLE, SPOOF_TABLE, type SgPort } from '../security-groups/render.js';
import { desiredL2pop, syncL2pop } from './fdb.js';
import { plugPorts, unplugStale, type WiredNetwork } from './ports.js';
import {
  LinkTable, planNetwork, removeStale, unsupportedNetworkTypes, wireNetwork,
  type L2Host, type L2Log, type WiringOptions,
} from './wiring.js';

export type L2Client = Pick<PluginClient, 'l2State' | 'updatePortStatus'>;

export interface LinuxBridgeOptions {
  /** This host's VXLAN endpoint (tunneling_ip); without it vxlan networks are not wired. */
  readonly tunnelIp?: string;
  /** The underlay device the vxlan devices are bound to. */
  readonly tunnelDevice?: string;
  /** physnet → host interface, for flat networks. */
  readonly bridgeMappings: Readonly<Record<string, string>>;
  readonly capabilities: KernelCapabilities;
  readonly logger?: L2Log;
  /** The host namespace's operations; default `new NetnsHost(settings.netns)` (tests wrap it). */
  readonly host?: L2Host;
}

/** Bridged packets must traverse the inet hooks for the security-group firewall. */
const HOST_SYSCTLS: readonly [string, number][] = [
  ['net.bridge.bridge-nf-call-iptables', 1],
  ['net.bridge.bridge-nf-call-ip6tables', 1],
];

const SILENT: L2Log = { info() { /* */ }, warn() { /* */ } };

/** `iifname "brq…" ct zone set N` lines of a listed sg-zones chain. */
export function parseZones(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/iifname "([A-Za-z0-9_.-]+)" ct zone set (\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

export class LinuxBridgeAgent implements ReconcilingAgent {
  readonly kind = 'l2' as const;
  readonly #host: L2Host;
  readonly #log: L2Log;
  readonly #wiring: WiringOptions;
  #sysctlsDone = false;
  #lastRuleset: string | undefined;
  #zones: Map<string, number> | undefined;
  #devices = 0;
  readonly #reported = new Set<string>();

  constructor(
    private readonly settings: AgentSettings,
    private readonly client: L2Client,
    private readonly options: LinuxBridgeOptions,
  ) {
    this.#host = options.host ?? new NetnsHost(settings.netns);
    this.#log = options.logger ?? SILENT;
    this.#wiring = {
      bridgeMappings: options.bridgeMappings, capabilities: options.capabilities,
      ...(options.tunnelIp !== undefined ? { tunnelIp: options.tunnelIp } : {}),
      ...(options.tunnelDevice !== undefined ? { tunnelDevice: options.tunnelDevice } : {}),
    };
  }

  configurations(): Record<string, unknown> {
    const vxlan = this.options.capabilities.vxlan && this.options.tunnelIp !== undefined;
    return {
      bridge_mappings: { ...this.options.bridgeMappings },
      interface_mappings: {},
      ...(vxlan ? { tunneling_ip: this.options.tunnelIp } : {}),
      tunnel_types: vxlan ? ['vxlan'] : [],
      l2_population: true,
      devices: this.#devices,
      unsupported_network_types: unsupportedNetworkTypes(this.#wiring),
    };
  }

  #tapSignature: string | undefined;

  /** Neutron's device polling: a tap appearing or vanishing (a guest plugged by its hypervisor) asks for a reconcile. */
  async pollChanges(): Promise<boolean> {
    const taps = (await this.#host.links()).filter((l) => l.name.startsWith('tap')).map((l) => `${l.name}:${l.master ?? ''}:${l.up}`).sort().join(',');
    const changed = this.#tapSignature !== undefined && taps !== this.#tapSignature;
    this.#tapSignature = taps;
    return changed;
  }

  async reconcile(): Promise<void> {
    const state = await this.client.l2State();
    const host = this.#host;
    await this.#ensureSysctls();
    const links = new LinkTable(host, await host.links());
    const errors: string[] = [];

    // 1. Bridges and uplinks.
    const wired = new Map<string, WiredNetwork>();
    const failed = new Set<string>();
    const wanted = new Set<string>();
    const vxlanOf = new Map<string, string>();
    for (const network of state.networks) {
      const plan = planNetwork(network, this.#wiring);
      wanted.add(plan.bridge);
      if (!plan.ok) {
        this.#once(`unsupported:${network.id}`, { network: network.id, type: network.network_type, reason: plan.reason }, 'network cannot be wired on this host');
        continue;
      }
      if (plan.vxlan) { wanted.add(plan.vxlan.name); vxlanOf.set(network.id, plan.vxlan.name); }
      if (plan.vlan) wanted.add(plan.vlan.name);
      try {
        if (await wireNetwork(host, links, plan, this.#wiring)) wired.set(network.id, { network, bridge: plan.bridge, mtu: plan.mtu });
        else this.#once(`uplink:${network.id}`, { network: network.id, uplink: plan.uplink }, 'uplink interface missing; network not wired');
      } catch (err) {
        failed.add(network.id);
        errors.push(`network ${network.id}: ${message(err)}`);
      }
    }

    // 2. Security groups, before any new tap joins a bridge.
    await this.#applySecurityGroups(state, new Set(links.names()));

    // 3. Taps into bridges; taps of ports no longer bound here out of them.
    const ports = state.ports.filter((p) => !failed.has(p.network_id));
    const plug = await plugPorts(host, links, ports, wired);
    this.#devices = plug.plugged;
    const unplugged = await unplugStale(host, links, state.ports);
    if (unplugged.length) this.#log.info({ unplugged }, 'unplugged devices of ports no longer bound to this host');

    // 4. l2population on every wired vxlan network.
    for (const [networkId, dev] of vxlanOf) {
      if (!wired.has(networkId)) continue;
      try {
        await syncL2pop(host, dev, desiredL2pop(state.fdb[networkId] ?? [], this.options.tunnelIp));
      } catch (err) {
        errors.push(`l2pop ${dev}: ${message(err)}`);
      }
    }

    // 5. Our devices of networks that left this host.
    try {
      const removed = await removeStale(host, links, wanted);
      if (removed.length) this.#log.info({ removed }, 'removed devices of networks no longer on this host');
    } catch (err) {
      errors.push(`cleanup: ${message(err)}`);
    }

    // 6. Status back to the server.
    await this.client.updatePortStatus(plug.toActive, 'ACTIVE');
    await this.client.updatePortStatus(plug.toDown, 'DOWN');
    if (errors.length) throw new Error(errors.join('; '));
  }

  async #ensureSysctls(): Promise<void> {
    if (this.#sysctlsDone) return;
    for (const [key, value] of HOST_SYSCTLS) {
      try {
        await this.#host.sysctl(key, value);
      } catch (err) {
        this.#log.warn({ key, err: message(err) }, 'cannot set sysctl: security groups will not filter bridged traffic');
      }
    }
    this.#sysctlsDone = true;
  }

  async #applySecurityGroups(state: L2State, existing: ReadonlySet<string>): Promise<void> {
    const networkBridge = new Map(state.networks.map((n) => [n.id, planNetwork(n, this.#wiring).bridge]));
    const ports: SgPort[] = [];
    for (const port of state.ports) {
      const bridge = networkBridge.get(port.network_id);
      if (bridge !== undefined) ports.push({ port, bridge, device: portDeviceName(port.id) });
    }
    if (ports.length === 0) {
      // Nothing to filter on this host: leave no table behind.
      const present = await this.#host.nftTables();
      for (const t of present) if ((t.family === 'inet' && t.name === SG_TABLE) || (t.family === 'netdev' && t.name === SPOOF_TABLE)) await this.#host.nftDeleteTable(t.family, t.name);
      this.#lastRuleset = undefined;
      return;
    }
    if (this.#zones === undefined) this.#zones = await this.#kernelZones();
    this.#zones = assignZones(ports.map((p) => p.bridge), this.#zones);
    const text = renderSecurityGroups({
      ports, securityGroups: state.security_groups, members: state.security_group_members,
      addressGroups: state.address_groups, existingDevices: existing, zones: this.#zones,
    });
    if (text === this.#lastRuleset && await this.#tablesPresent()) return;
    this.#lastRuleset = undefined;
    await this.#host.nftApply(text);
    this.#lastRuleset = text;
  }

  /** Both tables still there (someone may have flushed the ruleset since the last apply). */
  async #tablesPresent(): Promise<boolean> {
    const tables = await this.#host.nftTables();
    const has = (family: string, name: string) => tables.some((t) => t.family === family && t.name === name);
    return has('inet', SG_TABLE) && has('netdev', SPOOF_TABLE);
  }

  /** Zones the running ruleset already uses (kept across agent restarts so conntrack entries stay valid). */
  async #kernelZones(): Promise<Map<string, number>> {
    try {
      const { stdout } = await this.#host.exec('nft', ['list', 'chain', 'inet', SG_TABLE, 'sg-zones']);
      return parseZones(stdout);
    } catch {
      return new Map();
    }
  }

  #once(key: string, obj: object, msg: string): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#log.warn({ host: this.settings.host, ...obj }, msg);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
