// Neutron's DHCP agent with the dnsmasq driver: for every network scheduled to this host, a
// namespace `<prefix>qdhcp-<network-id>` holding the network's DHCP port (veth: host side
// tap<port[:11]>, which the L2 agent plugs into the network's bridge; namespace side ns-<port[:11]>)
// and a dnsmasq serving static leases for the network's ports. On isolated networks (no router)
// the namespace also carries 169.254.169.254 and a metadata proxy (haproxy) in front of this
// host's metadata agent. Level-triggered: every reconcile compares the whole desired state with
// the kernel and the files, and changes only what differs (a changed host list is a SIGHUP, not a
// restart: leases survive).
import { chmodSync, constants as fsConstants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemons, NetnsHost, deleteNetns, ensureNetns, listNetns } from '../../../hostnet/index.js';
import type { DaemonSpec } from '../../../hostnet/index.js';
import type { AgentSettings, ReconcilingAgent } from '../common/agent-loop.js';
import type { PluginClient } from '../common/plugin-client.js';
import type { DhcpNetwork } from '../common/state.js';
import { dhcpInterfaceName, portDeviceName } from '../common/state.js';
import { metadataProxyDaemon } from '../metadata/proxy.js';
import {
  DEFAULT_DNS_DOMAIN, DHCP_LEASE_DURATION, METADATA_ADDRESS, METADATA_CIDR, conflictingLeases, dhcpPortAddresses,
  dnsmasqAction, renderDnsmasqConfig, servedSubnets, servesMetadata, withoutLeases,
} from './dnsmasq-config.js';
import type { DnsmasqAction, DnsmasqConfig } from './dnsmasq-config.js';

export interface DhcpAgentOptions {
  readonly daemons: Daemons;
  /** dnsmasq --domain (Neutron's dns_domain); default openstacklocal. */
  readonly dnsDomain?: string;
  /** This host's metadata agent socket (the metadata proxies forward there). */
  readonly metadataSocket: string;
  /** Neutron's enable_isolated_metadata (default true). */
  readonly enableIsolatedMetadata?: boolean;
}

export type DhcpClient = Pick<PluginClient, 'dhcpState'>;

/** What a reconcile did to one network's dnsmasq (for tests and logs). */
export interface DhcpNetworkResult { readonly networkId: string; readonly dnsmasq: DnsmasqAction | 'stopped'; readonly pid?: number }

/** Network ids become namespace names and directory names: Neutron's ids are UUIDs; accept only safe text. */
const NETWORK_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
/** dnsmasq must have its SIGHUP handler in place before we send one. */
const HUP_AFTER_START_MS = 500;

export function dnsmasqDaemonId(networkId: string): string { return `dnsmasq-${networkId}`; }
export function dhcpProxyDaemonId(networkId: string): string { return `haproxy-qdhcp-${networkId}`; }

export class DhcpAgent implements ReconcilingAgent {
  readonly kind = 'dhcp' as const;
  readonly #daemons: Daemons;
  readonly #domain: string;
  readonly #metadata: boolean;
  /** What each network's running dnsmasq was given (by network id). */
  readonly #given = new Map<string, DnsmasqConfig>();
  readonly #startedAt = new Map<string, number>();
  #counts = { networks: 0, ports: 0, subnets: 0 };
  /** Per-network outcome of the last reconcile. */
  lastResults: DhcpNetworkResult[] = [];

  constructor(
    readonly settings: AgentSettings,
    private readonly client: DhcpClient,
    private readonly options: DhcpAgentOptions,
  ) {
    this.#daemons = options.daemons;
    this.#domain = options.dnsDomain ?? DEFAULT_DNS_DOMAIN;
    this.#metadata = options.enableIsolatedMetadata ?? true;
  }

  namespaceName(networkId: string): string { return `${this.settings.namespacePrefix}qdhcp-${networkId}`; }
  networkDir(networkId: string): string { return join(this.settings.stateDir, 'dhcp', networkId); }

  configurations(): Record<string, unknown> {
    return { ...this.#counts, dhcp_driver: 'dnsmasq', dhcp_lease_duration: DHCP_LEASE_DURATION };
  }

  async reconcile(): Promise<void> {
    const state = await this.client.dhcpState();
    const wanted = new Map<string, DhcpNetwork>();
    for (const net of state.networks) {
      if (NETWORK_ID.test(net.network.id) && net.network.admin_state_up !== false) wanted.set(net.network.id, net);
    }
    const errors: string[] = [];
    const results: DhcpNetworkResult[] = [];
    const running = new Set(await this.#daemons.running());
    for (const net of wanted.values()) {
      try {
        results.push(await this.#syncNetwork(net, running));
      } catch (error) {
        errors.push(`network ${net.network.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // Whatever we run or created for a network no longer ours goes away.
    const stale = new Set<string>();
    const nsPrefix = `${this.settings.namespacePrefix}qdhcp-`;
    for (const ns of await listNetns()) {
      const id = ns.startsWith(nsPrefix) ? ns.slice(nsPrefix.length) : '';
      if (NETWORK_ID.test(id) && !wanted.has(id)) stale.add(id);
    }
    for (const id of listDir(join(this.settings.stateDir, 'dhcp'))) if (NETWORK_ID.test(id) && !wanted.has(id)) stale.add(id);
    for (const daemonId of running) {
      const id = daemonId.startsWith('dnsmasq-') ? daemonId.slice('dnsmasq-'.length)
        : daemonId.startsWith('haproxy-qdhcp-') ? daemonId.slice('haproxy-qdhcp-'.length) : '';
      if (NETWORK_ID.test(id) && !wanted.has(id)) stale.add(id);
    }
    for (const id of stale) {
      try {
        await this.#teardown(id);
      } catch (error) {
        errors.push(`removing network ${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const nets = [...wanted.values()];
    this.#counts = {
      networks: nets.length,
      ports: nets.reduce((n, net) => n + net.ports.length, 0),
      subnets: nets.reduce((n, net) => n + servedSubnets(net).length, 0),
    };
    this.lastResults = results;
    if (errors.length > 0) throw new Error(`dhcp reconcile: ${errors.join('; ')}`);
  }

  async #syncNetwork(net: DhcpNetwork, running: ReadonlySet<string>): Promise<DhcpNetworkResult> {
    const networkId = net.network.id;
    const ns = this.namespaceName(networkId);
    const dir = this.networkDir(networkId);
    const metadata = servesMetadata(net, this.#metadata);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    await ensureNetns(ns);
    await this.#wirePort(net, ns);
    writeIfChanged(join(dir, 'port'), `${net.dhcp_port.id}\n`);

    const inner = dhcpInterfaceName(net.dhcp_port.id);
    const nsHost = new NetnsHost(ns);
    const wantedAddresses = [...dhcpPortAddresses(net), ...(metadata ? [METADATA_CIDR] : [])];
    if (wantedAddresses.some((a) => a.includes(':'))) {
      // dnsmasq binds its addresses; a tentative (DAD) IPv6 address cannot be bound.
      await nsHost.sysctl(`net.ipv6.conf.${inner}.accept_dad`, 0).catch(() => undefined);
    }
    const present = (await nsHost.addresses(inner)).filter((a) => !(a.family === 6 && a.scope === 'link'));
    for (const cidr of wantedAddresses) {
      if (!present.some((a) => sameCidr(a.cidr, cidr))) await nsHost.addAddress(inner, cidr);
    }
    for (const a of present) {
      if (!wantedAddresses.some((cidr) => sameCidr(a.cidr, cidr))) await nsHost.deleteAddress(inner, a.cidr);
    }

    const result = await this.#syncDnsmasq(net, ns, dir, metadata, running);

    const proxyId = dhcpProxyDaemonId(networkId);
    if (metadata) {
      await this.#daemons.ensure(metadataProxyDaemon({
        id: proxyId, netns: ns, bindAddress: METADATA_ADDRESS, port: 80, networkId,
        socketPath: this.options.metadataSocket, stateDir: dir,
      }));
    } else if (running.has(proxyId)) {
      await this.#daemons.stop(proxyId);
    }
    return result;
  }

  /** The DHCP port's veth: tap<port> in the host namespace, ns-<port> (port MAC, network MTU) in qdhcp. */
  async #wirePort(net: DhcpNetwork, ns: string): Promise<void> {
    const port = net.dhcp_port;
    const tap = portDeviceName(port.id);
    const inner = dhcpInterfaceName(port.id);
    const mac = port.mac_address.toLowerCase();
    const mtu = net.network.mtu;
    const host = new NetnsHost(this.settings.netns);
    const nsHost = new NetnsHost(ns);
    // A former DHCP port of this network (the port was replaced): its veth goes.
    for (const l of await nsHost.links()) {
      if (l.name.startsWith('ns-') && l.name !== inner) await nsHost.deleteLink(l.name);
    }
    let innerLink = await nsHost.link(inner);
    let tapLink = await host.link(tap);
    if (innerLink && !tapLink) { await nsHost.deleteLink(inner); innerLink = undefined; }
    if (!innerLink && tapLink) { await host.deleteLink(tap); tapLink = undefined; }
    if (!innerLink || !tapLink) {
      await host.addVeth(tap, inner, { peerNetns: ns, mtu, peerMac: mac });
      innerLink = await nsHost.link(inner);
      tapLink = await host.link(tap);
      if (!innerLink || !tapLink) throw new Error(`veth ${tap}/${inner} did not appear`);
    }
    if (innerLink.mac.toLowerCase() !== mac) await nsHost.setLink(inner, { mac });
    if (innerLink.mtu !== mtu) await nsHost.setLink(inner, { mtu });
    if (tapLink.mtu !== mtu) await host.setLink(tap, { mtu });
    if (!innerLink.up) await nsHost.setLink(inner, { up: true });
    if (!tapLink.up) await host.setLink(tap, { up: true });
  }

  async #syncDnsmasq(net: DhcpNetwork, ns: string, dir: string, metadata: boolean, running: ReadonlySet<string>): Promise<DhcpNetworkResult> {
    const networkId = net.network.id;
    const id = dnsmasqDaemonId(networkId);
    if (servedSubnets(net).length === 0) {
      if (running.has(id)) await this.#daemons.stop(id);
      this.#given.delete(networkId);
      return { networkId, dnsmasq: 'stopped' };
    }
    const next = renderDnsmasqConfig({ network: net, dir, domain: this.#domain, metadata, runAsRoot: !reachableByOthers(dir) });
    const previous = this.#given.get(networkId) ?? readGiven(dir);
    const leasesFile = join(dir, 'leases');
    const leases = readText(leasesFile) ?? '';
    const conflicts = conflictingLeases(leases, next.hosts);
    const action = dnsmasqAction(previous, next, { running: running.has(id), conflictingLeases: conflicts.length });

    writeIfChanged(join(dir, 'host'), next.hosts);
    writeIfChanged(join(dir, 'opts'), next.opts);
    writeIfChanged(join(dir, 'cmdline.json'), `${JSON.stringify(next.args)}\n`);
    const spec: DaemonSpec = { id, netns: ns, command: 'dnsmasq', args: next.args, logFile: join(dir, 'dnsmasq.log') };

    if (action === 'restart') await this.#daemons.stop(id);
    if (action === 'restart' || action === 'start') {
      // dnsmasq is stopped: drop leases that would keep an address from its new owner.
      const current = readText(leasesFile) ?? '';
      const drop = conflictingLeases(current, next.hosts);
      if (drop.length > 0) writeAtomically(leasesFile, withoutLeases(current, drop));
    }
    const { pid, started } = await this.#daemons.ensure(spec);
    if (started) this.#startedAt.set(networkId, Date.now());
    this.#given.set(networkId, next);
    if (action === 'reload' && !started) {
      const since = Date.now() - (this.#startedAt.get(networkId) ?? 0);
      if (since < HUP_AFTER_START_MS) await sleep(HUP_AFTER_START_MS - since);
      await this.#daemons.signal(id, 'SIGHUP');
    }
    return { networkId, dnsmasq: started && action !== 'restart' ? 'start' : action, pid };
  }

  async #teardown(networkId: string): Promise<void> {
    const dir = this.networkDir(networkId);
    await this.#daemons.stop(dnsmasqDaemonId(networkId));
    await this.#daemons.stop(dhcpProxyDaemonId(networkId));
    await deleteNetns(this.namespaceName(networkId));
    // The veth dies with the namespace; a tap left without its peer (namespace removed by hand
    // before the link moved) is removed too.
    const portId = readText(join(dir, 'port'))?.trim();
    if (portId && /^[A-Za-z0-9-]+$/.test(portId)) {
      const host = new NetnsHost(this.settings.netns);
      const tap = portDeviceName(portId);
      const l = await host.link(tap);
      if (l && l.kind === 'veth') await host.deleteLink(tap);
    }
    rmSync(dir, { recursive: true, force: true });
    this.#given.delete(networkId);
    this.#startedAt.delete(networkId);
  }
}

/**
 * Can an unprivileged user read files in `dir` (every ancestor searchable by others)? dnsmasq
 * rereads its hosts/options files on SIGHUP after it has dropped root.
 */
export function reachableByOthers(dir: string): boolean {
  let path = resolve(dir);
  for (;;) {
    try {
      if ((statSync(path).mode & fsConstants.S_IXOTH) === 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(path);
    if (parent === path) return true;
    path = parent;
  }
}

function sameCidr(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What a dnsmasq started by an earlier agent run was given, from its files. */
function readGiven(dir: string): DnsmasqConfig | undefined {
  const hosts = readText(join(dir, 'host'));
  const opts = readText(join(dir, 'opts'));
  const cmdline = readText(join(dir, 'cmdline.json'));
  if (hosts === undefined || opts === undefined || cmdline === undefined) return undefined;
  try {
    const args: unknown = JSON.parse(cmdline);
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return undefined;
    return { args: args as string[], hosts, opts };
  } catch {
    return undefined;
  }
}

function writeAtomically(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o644 });
  chmodSync(tmp, 0o644); // readable by dnsmasq after it dropped root, whatever the umask
  renameSync(tmp, path);
}

function writeIfChanged(path: string, content: string): boolean {
  if (readText(path) === content) return false;
  writeAtomically(path, content);
  return true;
}
