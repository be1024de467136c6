// The L3 agent (Neutron's legacy mode): one `<prefix>qrouter-<router-id>` namespace per router
// scheduled to this host, with its qr-/qg- ports, addresses, routes, one nftables NAT table
// (SNAT, floating IPs by DNAT, metadata redirect) and a metadata proxy (haproxy on 9697).
// Level-triggered: every reconcile fetches the host's whole L3 state, reads the kernel, and runs
// only the commands the difference needs; a second reconcile with the same state changes nothing.
import { join } from 'node:path';
import { readdir, rm } from 'node:fs/promises';
import type { Logger } from '../../../core/logger.js';
import { deleteNetns, ensureNetns, listNetns, NetnsHost, type Daemons, type DaemonSpec } from '../../../hostnet/index.js';
import type { AgentSettings, ReconcilingAgent } from '../common/agent-loop.js';
import type { PluginClient } from '../common/plugin-client.js';
import type { L3State, RouterInfo } from '../common/state.js';
import { metadataProxyDaemon } from '../metadata/proxy.js';
import { applicableFloatingIps, METADATA_PROXY_PORT, NAT_TABLE_FAMILY, NAT_TABLE_NAME, parseNatTableHash, renderNatTable, routerNatSpec } from './nat-rules.js';
import { applyRouterNamespace, planRouterNamespace } from './router-namespace.js';
import { ensureRouterAdvertisements, radvdDaemonId, stopRouterAdvertisements } from './router-advertisements.js';

/** What the agent needs of the plugin client (tests pass a stub). */
export type L3PluginClient = Pick<PluginClient, 'l3State' | 'updateFloatingIpStatuses'>;

export interface L3AgentOptions {
  readonly daemons: Daemons;
  /** The metadata agent's unix socket the routers' proxies forward to. */
  readonly metadataSocket: string;
  /** Run a metadata proxy per router and redirect 169.254.169.254:80 to it (default true). */
  readonly enableMetadataProxy?: boolean;
  readonly logger?: Logger;
  /** Builds the proxy's daemon spec (default: the metadata agent's haproxy proxy). */
  readonly metadataProxyDaemon?: typeof metadataProxyDaemon;
}

type FipStatus = 'ACTIVE' | 'DOWN' | 'ERROR';

export const ROUTER_NAMESPACE_INFIX = 'qrouter-';

/** Daemons id of a router's metadata proxy. */
export function metadataProxyId(routerId: string): string {
  return `haproxy-${routerId}`;
}

const ROUTER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Router sysctls, set once per namespace per agent process (writing them is idempotent anyway). */
const ROUTER_SYSCTLS: readonly (readonly [string, string])[] = [
  ['net.ipv4.ip_forward', '1'],
  ['net.ipv6.conf.all.forwarding', '1'],
  ['net.ipv4.conf.all.rp_filter', '0'],
  ['net.ipv4.conf.default.rp_filter', '0'],
  // Changing a gateway address must not take the floating IPs of the same subnet with it.
  ['net.ipv4.conf.all.promote_secondaries', '1'],
  ['net.ipv4.conf.default.promote_secondaries', '1'],
];

export class L3Agent implements ReconcilingAgent {
  readonly kind = 'l3' as const;
  readonly triggers: readonly string[] = ['router.*', 'floatingip.*', 'subnet.*', 'network.update.end', 'port.update.end', 'port.delete.end', 'agent.*', 'l3_agent.*'];

  readonly #settings: AgentSettings;
  readonly #client: L3PluginClient;
  readonly #daemons: Daemons;
  readonly #metadataSocket: string;
  readonly #enableMetadataProxy: boolean;
  readonly #logger: Logger | undefined;
  readonly #proxyDaemon: typeof metadataProxyDaemon;
  readonly #host: NetnsHost;
  /** Routers whose namespace got its sysctls from this process. */
  readonly #prepared = new Set<string>();
  /** Routers this process configured (so it cleans them up even if their namespace vanished). */
  readonly #known = new Set<string>();
  #counts = { routers: 0, ex_gw_ports: 0, interfaces: 0, floating_ips: 0 };
  /** Mutating commands run by the last reconcile (tests assert idempotence with it). */
  lastMutations = 0;

  constructor(settings: AgentSettings, client: L3PluginClient, options: L3AgentOptions) {
    this.#settings = settings;
    this.#client = client;
    this.#daemons = options.daemons;
    this.#metadataSocket = options.metadataSocket;
    this.#enableMetadataProxy = options.enableMetadataProxy ?? true;
    this.#logger = options.logger;
    this.#proxyDaemon = options.metadataProxyDaemon ?? metadataProxyDaemon;
    this.#host = new NetnsHost(settings.netns);
  }

  configurations(): Record<string, unknown> {
    return { ...this.#counts, agent_mode: 'legacy', handle_internal_only_routers: true };
  }

  /** `<prefix>qrouter-<router-id>`. */
  routerNamespace(routerId: string): string {
    return `${this.#settings.namespacePrefix}${ROUTER_NAMESPACE_INFIX}${routerId}`;
  }

  async reconcile(): Promise<void> {
    const state: L3State = await this.#client.l3State();
    let mutations = 0;
    const active = state.routers.filter((r) => r.admin_state_up && ROUTER_ID.test(r.id));
    const activeIds = new Set(active.map((r) => r.id));
    const namespaces = await listNetns();
    const hostLinks = await this.#host.links();
    const running = new Set(await this.#daemons.running());
    const statuses: Record<string, FipStatus> = {};
    const failures: string[] = [];
    const want = (fip: { id: string; status: string }, status: FipStatus): void => {
      if (fip.status !== status) statuses[fip.id] = status;
    };

    for (const router of active) {
      try {
        mutations += await this.#syncRouter(router, namespaces, hostLinks, running);
        const applied = new Set(applicableFloatingIps(router).map((f) => f.floatingIp));
        for (const fip of router.floating_ips) want(fip, applied.has(fip.floating_ip_address) ? 'ACTIVE' : 'ERROR');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`router ${router.id}: ${message}`);
        this.#logger?.warn({ router: router.id, err: message }, 'router sync failed');
        for (const fip of router.floating_ips) want(fip, 'ERROR');
      }
    }
    for (const router of state.routers) {
      if (!activeIds.has(router.id)) for (const fip of router.floating_ips) want(fip, 'DOWN');
    }

    // Routers gone from the state (or admin down): everything of theirs goes.
    const stale = new Set<string>([...this.#known].filter((id) => !activeIds.has(id)));
    const nsPrefix = this.routerNamespace('');
    for (const ns of namespaces) {
      if (!ns.startsWith(nsPrefix)) continue;
      const id = ns.slice(nsPrefix.length);
      if (ROUTER_ID.test(id) && !activeIds.has(id)) stale.add(id);
    }
    // Advertisement daemons of routers gone while no namespace of theirs is left.
    const radvdPrefix = radvdDaemonId('');
    for (const daemon of running) {
      const id = daemon.slice(radvdPrefix.length);
      if (daemon.startsWith(radvdPrefix) && ROUTER_ID.test(id) && !activeIds.has(id)) stale.add(id);
    }
    for (const id of stale) {
      try {
        mutations += await this.#removeRouter(id, namespaces.includes(this.routerNamespace(id)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`removing router ${id}: ${message}`);
      }
    }

    this.#counts = {
      routers: active.length,
      ex_gw_ports: active.filter((r) => r.gateway !== null).length,
      interfaces: active.reduce((n, r) => n + r.interfaces.length, 0),
      floating_ips: active.reduce((n, r) => n + r.floating_ips.length, 0),
    };
    this.lastMutations = mutations;
    if (Object.keys(statuses).length > 0) await this.#client.updateFloatingIpStatuses(statuses);
    if (failures.length > 0) throw new Error(`l3 agent: ${failures.join('; ')}`);
  }

  /** Brings one router's namespace to its desired state; returns the mutating commands run. */
  async #syncRouter(router: RouterInfo, namespaces: readonly string[], hostLinks: Awaited<ReturnType<NetnsHost['links']>>,
    running: ReadonlySet<string>): Promise<number> {
    const netns = this.routerNamespace(router.id);
    let mutations = 0;
    this.#known.add(router.id);
    if (!namespaces.includes(netns)) {
      await ensureNetns(netns);
      mutations++;
      this.#prepared.delete(router.id);
    }
    const ns = new NetnsHost(netns);
    if (!this.#prepared.has(router.id)) {
      // Read first, so that an agent restart rewrites nothing that is already right.
      const { stdout } = await ns.exec('sysctl', ['-n', ...ROUTER_SYSCTLS.map(([key]) => key)]);
      const current = stdout.split('\n').map((l) => l.trim());
      for (const [i, [key, value]] of ROUTER_SYSCTLS.entries()) {
        if (current[i] === value) continue;
        await ns.sysctl(key, value);
        mutations++;
      }
      this.#prepared.add(router.id);
    }

    const plan = planRouterNamespace(router, netns);
    const applied = await applyRouterNamespace(plan, ns, this.#host, hostLinks);
    mutations += applied.mutations;
    for (const tap of applied.removedHostDevices) {
      if (hostLinks.some((l) => l.name === tap) && (await this.#host.link(tap)) !== undefined) {
        await this.#host.deleteLink(tap);
        mutations++;
      }
    }

    const proxy = this.#enableMetadataProxy && router.interfaces.length > 0;
    const nat = renderNatTable(routerNatSpec(router, { metadataPort: proxy ? METADATA_PROXY_PORT : null }));
    const current = await this.#currentNatHash(ns);
    if (nat === null) {
      if (current !== undefined) { await ns.nftDeleteTable(NAT_TABLE_FAMILY, NAT_TABLE_NAME); mutations++; }
    } else if (current !== nat.hash) {
      await ns.nftApply(nat.ruleset);
      mutations++;
    }

    const id = metadataProxyId(router.id);
    if (proxy) {
      const { started } = await this.#daemons.ensure(this.#proxySpec(router.id, netns));
      if (started) mutations++;
    } else {
      await this.#daemons.stop(id);
    }

    // IPv6 router advertisements (Neutron's radvd) for the internal subnets with an ipv6_ra_mode.
    const ra = await ensureRouterAdvertisements(this.#daemons, router, { netns, dir: this.#radvdDir() }, running);
    if (ra.started || ra.stopped) mutations++;

    // Neighbours learn the (new) gateway and floating IP addresses now, not at their ARP timeout.
    await Promise.all(applied.announce.map((a) => ns.gratuitousArp(a.dev, a.ip)));
    return mutations;
  }

  #proxySpec(routerId: string, netns: string): DaemonSpec {
    return this.#proxyDaemon({
      id: metadataProxyId(routerId),
      netns,
      bindAddress: '0.0.0.0',
      port: METADATA_PROXY_PORT,
      routerId,
      socketPath: this.#metadataSocket,
      stateDir: this.#proxyDir(),
    });
  }

  #proxyDir(): string {
    return join(this.#settings.stateDir, 'l3-metadata-proxy');
  }

  #radvdDir(): string {
    return join(this.#settings.stateDir, 'l3-radvd');
  }

  /** The hash the NAT table carries, null if it carries none, undefined if there is no table. */
  async #currentNatHash(ns: NetnsHost): Promise<string | null | undefined> {
    const tables = await ns.nftTables();
    if (!tables.some((t) => t.family === NAT_TABLE_FAMILY && t.name === NAT_TABLE_NAME)) return undefined;
    const { stdout } = await ns.exec('nft', ['list', 'table', NAT_TABLE_FAMILY, NAT_TABLE_NAME]);
    return parseNatTableHash(stdout);
  }

  /** Tears down a router this host no longer serves; returns the mutating commands run. */
  async #removeRouter(routerId: string, nsExists: boolean): Promise<number> {
    let mutations = 0;
    const id = metadataProxyId(routerId);
    if ((await this.#daemons.running()).includes(id)) mutations++;
    await this.#daemons.stop(id);
    await this.#removeProxyFiles(id);
    if (await stopRouterAdvertisements(this.#daemons, routerId, this.#radvdDir())) mutations++;
    const netns = this.routerNamespace(routerId);
    const taps: string[] = [];
    if (nsExists) {
      const ns = new NetnsHost(netns);
      for (const link of await ns.links()) {
        if (!/^(qr|qg)-/.test(link.name)) continue;
        await ns.deleteLink(link.name); // its host-side tap goes with it
        taps.push(`tap${link.name.slice(3)}`);
        mutations++;
      }
      await ns.nftDeleteTable(NAT_TABLE_FAMILY, NAT_TABLE_NAME);
      await deleteNetns(netns);
      mutations += 2;
    }
    if (taps.length > 0) {
      const left = new Set((await this.#host.links()).map((l) => l.name));
      for (const tap of taps) if (left.has(tap)) { await this.#host.deleteLink(tap); mutations++; }
    }
    this.#known.delete(routerId);
    this.#prepared.delete(routerId);
    return mutations;
  }

  async #removeProxyFiles(id: string): Promise<void> {
    let names: string[];
    try { names = await readdir(this.#proxyDir()); } catch { return; }
    await Promise.all(names.filter((n) => n.startsWith(`${id}.`) && n.endsWith('.cfg'))
      .map((n) => rm(join(this.#proxyDir(), n), { force: true })));
  }
}
