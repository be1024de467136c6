// Link operations (bridges, veths, vxlan devices) inside one namespace.
import { HostnetError, run, runTolerating, stderrMatches } from './exec.js';
import { assertIfName, assertNetnsName } from './names.js';
import { assertInt, assertIp, assertMac } from './values.js';
import { parseLinks, type LinkInfo } from './ip-json.js';

type Ns = string | undefined;
const NO_DEVICE = [/Cannot find device/, /does not exist/];
const EXISTS = [/File exists/];

export async function links(ns: Ns): Promise<LinkInfo[]> {
  return parseLinks((await run('ip', ['-json', '-details', 'link', 'show'], { netns: ns })).stdout);
}

export async function link(ns: Ns, name: string): Promise<LinkInfo | undefined> {
  assertIfName(name);
  try {
    return parseLinks((await run('ip', ['-json', '-details', 'link', 'show', 'dev', name], { netns: ns })).stdout)[0];
  } catch (error) {
    if (stderrMatches(error, NO_DEVICE)) return undefined;
    throw error;
  }
}

/** `ip link add` arguments shared by all kinds; mtu/address must precede `type`. */
function common(options: { mtu?: number; mac?: string }): string[] {
  const args: string[] = [];
  if (options.mac !== undefined) args.push('address', assertMac(options.mac));
  if (options.mtu !== undefined) args.push('mtu', String(assertInt('mtu', options.mtu, 68, 65535)));
  return args;
}

/**
 * Runs `ip link add`; if the name is taken, accepts the existing link only when `accept` says it
 * is the same thing (so re-running is a no-op, but a clash with something else is an error).
 */
async function addLink(ns: Ns, name: string, args: string[], accept: (l: LinkInfo) => string | undefined): Promise<void> {
  try {
    await run('ip', ['link', 'add', 'name', name, ...args], { netns: ns });
  } catch (error) {
    if (!stderrMatches(error, EXISTS)) throw error;
    const existing = await link(ns, name);
    const problem = existing ? accept(existing) : 'vanished while being created';
    if (problem !== undefined) {
      const e = error as HostnetError;
      throw new HostnetError(`link ${name} already exists but ${problem}`, { command: e.command, args: e.args, stderr: e.stderr, exitCode: e.exitCode });
    }
  }
}

export async function addBridge(ns: Ns, name: string, options: { mtu?: number } = {}): Promise<void> {
  assertIfName(name);
  await addLink(ns, name, [...common(options), 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'],
    (l) => (l.kind === 'bridge' ? undefined : `is a ${l.kind ?? 'plain'} link, not a bridge`));
}

export async function addVeth(ns: Ns, name: string, peer: string,
  options: { peerNetns?: string; mtu?: number; mac?: string; peerMac?: string } = {}): Promise<void> {
  assertIfName(name);
  assertIfName(peer);
  const peerArgs = ['peer', 'name', peer, ...common({ mtu: options.mtu, mac: options.peerMac })];
  if (options.peerNetns !== undefined) peerArgs.push('netns', assertNetnsName(options.peerNetns));
  await addLink(ns, name, [...common(options), 'type', 'veth', ...peerArgs],
    (l) => (l.kind === 'veth' ? undefined : `is a ${l.kind ?? 'plain'} link, not a veth`));
}

export async function addVxlan(ns: Ns, name: string,
  options: { vni: number; local: string; dev?: string; dstport?: number; learning?: boolean; proxy?: boolean; mtu?: number }): Promise<void> {
  assertIfName(name);
  const vni = assertInt('VNI', options.vni, 1, 16_777_215);
  const local = assertIp(options.local);
  const dstport = assertInt('vxlan port', options.dstport ?? 4789, 1, 65535);
  const args = [...common(options), 'type', 'vxlan', 'id', String(vni), 'local', local, 'dstport', String(dstport)];
  if (options.dev !== undefined) args.push('dev', assertIfName(options.dev));
  // Kernel default is learning on; l2pop callers pass learning: false.
  args.push(options.learning === false ? 'nolearning' : 'learning');
  if (options.proxy) args.push('proxy');
  await addLink(ns, name, args, (l) => {
    const vx = l.vxlan;
    if (!vx) return `is a ${l.kind ?? 'plain'} link, not a vxlan`;
    if (vx.id !== vni || vx.local !== local || (vx.dstport ?? dstport) !== dstport || (options.dev !== undefined && vx.dev !== options.dev)) {
      return `has different settings (id ${vx.id}, local ${vx.local ?? '-'}, dstport ${vx.dstport ?? '-'}, dev ${vx.dev ?? '-'})`;
    }
    return undefined;
  });
}

/** An 802.1Q sub-interface `name` of `parent` (kernels without CONFIG_VLAN_8021Q refuse it). */
export async function addVlan(ns: Ns, name: string, options: { parent: string; vid: number; mtu?: number }): Promise<void> {
  assertIfName(name);
  const parent = assertIfName(options.parent);
  const vid = assertInt('VLAN id', options.vid, 1, 4094);
  await addLink(ns, name, ['link', parent, ...common(options), 'type', 'vlan', 'id', String(vid)],
    (l) => (l.kind === 'vlan' ? undefined : `is a ${l.kind ?? 'plain'} link, not a vlan`));
}

export async function setLink(ns: Ns, name: string, changes: { up?: boolean; master?: string | null; mtu?: number; mac?: string }): Promise<void> {
  assertIfName(name);
  const args: string[] = [];
  if (changes.mac !== undefined) args.push('address', assertMac(changes.mac));
  if (changes.mtu !== undefined) args.push('mtu', String(assertInt('mtu', changes.mtu, 68, 65535)));
  if (changes.master === null) args.push('nomaster');
  else if (changes.master !== undefined) args.push('master', assertIfName(changes.master));
  if (changes.up !== undefined) args.push(changes.up ? 'up' : 'down');
  if (args.length === 0) return;
  await run('ip', ['link', 'set', 'dev', name, ...args], { netns: ns });
}

export async function deleteLink(ns: Ns, name: string): Promise<void> {
  assertIfName(name);
  await runTolerating('ip', ['link', 'delete', 'dev', name], { netns: ns }, NO_DEVICE);
}
