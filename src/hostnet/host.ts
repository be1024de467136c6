// NetnsHost: every kernel operation bound to one namespace (undefined = the current one, which
// only production on a real host uses). The work is done by links/l3/l2/nft; this is the facade.
import { run } from './exec.js';
import { assertIfName, assertNetnsName } from './names.js';
import { assertArgs, assertCommand, assertIp, assertSysctlKey, assertSysctlValue, ipFamily } from './values.js';
import type { AddressInfo, FdbEntry, LinkInfo, NeighEntry, RouteInfo } from './ip-json.js';
import * as linkOps from './links.js';
import * as l3 from './l3.js';
import * as l2 from './l2.js';
import * as nft from './nft.js';

export type { AddressInfo, FdbEntry, LinkInfo, NeighEntry, RouteInfo } from './ip-json.js';

export class NetnsHost {
  readonly netns: string | undefined;

  constructor(netns: string | undefined) {
    this.netns = netns === undefined ? undefined : assertNetnsName(netns);
  }

  links(): Promise<LinkInfo[]> { return linkOps.links(this.netns); }
  link(name: string): Promise<LinkInfo | undefined> { return linkOps.link(this.netns, name); }
  addBridge(name: string, options?: { mtu?: number }): Promise<void> { return linkOps.addBridge(this.netns, name, options); }
  addVeth(name: string, peer: string, options?: { peerNetns?: string; mtu?: number; mac?: string; peerMac?: string }): Promise<void> {
    return linkOps.addVeth(this.netns, name, peer, options);
  }
  addVxlan(name: string, options: { vni: number; local: string; dev?: string; dstport?: number; learning?: boolean; proxy?: boolean; mtu?: number }): Promise<void> {
    return linkOps.addVxlan(this.netns, name, options);
  }
  addVlan(name: string, options: { parent: string; vid: number; mtu?: number }): Promise<void> {
    return linkOps.addVlan(this.netns, name, options);
  }
  setLink(name: string, changes: { up?: boolean; master?: string | null; mtu?: number; mac?: string }): Promise<void> {
    return linkOps.setLink(this.netns, name, changes);
  }
  deleteLink(name: string): Promise<void> { return linkOps.deleteLink(this.netns, name); }

  addresses(dev?: string): Promise<AddressInfo[]> { return l3.addresses(this.netns, dev); }
  addAddress(dev: string, cidr: string): Promise<void> { return l3.addAddress(this.netns, dev, cidr); }
  deleteAddress(dev: string, cidr: string): Promise<void> { return l3.deleteAddress(this.netns, dev, cidr); }
  routes(family: 4 | 6): Promise<RouteInfo[]> { return l3.routes(this.netns, family); }
  replaceRoute(route: { dst: string; via?: string; dev?: string; family?: 4 | 6 }): Promise<void> { return l3.replaceRoute(this.netns, route); }
  deleteRoute(route: { dst: string; via?: string; dev?: string; family?: 4 | 6 }): Promise<void> { return l3.deleteRoute(this.netns, route); }

  fdb(dev: string): Promise<FdbEntry[]> { return l2.fdb(this.netns, dev); }
  fdbAppend(dev: string, mac: string, dst: string): Promise<void> { return l2.fdbAppend(this.netns, dev, mac, dst); }
  fdbReplace(dev: string, mac: string, dst: string): Promise<void> { return l2.fdbReplace(this.netns, dev, mac, dst); }
  fdbDelete(dev: string, mac: string, dst?: string): Promise<void> { return l2.fdbDelete(this.netns, dev, mac, dst); }
  neighbours(dev: string): Promise<NeighEntry[]> { return l2.neighbours(this.netns, dev); }
  neighReplace(dev: string, ip: string, mac: string): Promise<void> { return l2.neighReplace(this.netns, dev, ip, mac); }
  neighDelete(dev: string, ip: string): Promise<void> { return l2.neighDelete(this.netns, dev, ip); }

  async sysctl(key: string, value: string | number): Promise<void> {
    const setting = `${assertSysctlKey(key)}=${assertSysctlValue(String(value))}`;
    await run('sysctl', ['-q', '-w', setting], { netns: this.netns });
  }

  nftApply(ruleset: string): Promise<void> { return nft.nftApply(this.netns, ruleset); }
  nftTables(): Promise<{ family: string; name: string }[]> { return nft.nftTables(this.netns); }
  nftDeleteTable(family: string, name: string): Promise<void> { return nft.nftDeleteTable(this.netns, family, name); }

  async exec(cmd: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
    return run(assertCommand(cmd), assertArgs(args), { ...options, netns: this.netns });
  }

  /** Announces ip on dev so neighbours update their ARP caches; best effort, never throws. */
  async gratuitousArp(dev: string, ip: string): Promise<void> {
    try {
      if (ipFamily(assertIp(ip)) !== 4) return; // ARP is IPv4 only
      await run('busybox', ['arping', '-U', '-c', '1', '-I', assertIfName(dev), ip], { netns: this.netns, timeoutMs: 5000 });
    } catch {
      // A missed announcement only delays convergence; callers must not fail on it.
    }
  }
}
