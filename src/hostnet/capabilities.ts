// What this kernel can do, found by trying it in a throw-away namespace (module lists lie:
// built-ins don't show, and a listed module may still fail to load in a container).
import { run } from './exec.js';
import { deleteNetns, ensureNetns } from './netns.js';

export interface KernelCapabilities { vxlan: boolean; vlan: boolean; gre: boolean; geneve: boolean; bridgeNetfilter: boolean }

let cached: Promise<KernelCapabilities> | undefined;

/** Probes once per process; a failed probe (e.g. no permission) is retried on the next call. */
export function probeKernel(): Promise<KernelCapabilities> {
  if (!cached) {
    cached = probe();
    cached.catch(() => { cached = undefined; });
  }
  return cached;
}

async function probe(): Promise<KernelCapabilities> {
  const ns = `nimbus-probe-${process.pid}`;
  await ensureNetns(ns);
  try {
    const works = async (cmd: string, args: string[]): Promise<boolean> => {
      try {
        await run(cmd, args, { netns: ns });
        return true;
      } catch {
        return false;
      }
    };
    // A VLAN needs a parent device; dummy may be missing too, so use a veth.
    await run('ip', ['link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], { netns: ns });
    return {
      vxlan: await works('ip', ['link', 'add', 'pvx', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '127.0.0.1']),
      vlan: await works('ip', ['link', 'add', 'link', 'p0', 'name', 'pvl', 'type', 'vlan', 'id', '42']),
      gre: await works('ip', ['link', 'add', 'pgre', 'type', 'gretap', 'local', '127.0.0.1', 'remote', '127.0.0.2']),
      geneve: await works('ip', ['link', 'add', 'pgn', 'type', 'geneve', 'id', '42', 'remote', '127.0.0.2']),
      // /proc/sys/net/bridge only exists once br_netfilter is loaded.
      bridgeNetfilter: await works('sysctl', ['-n', 'net.bridge.bridge-nf-call-iptables']),
    };
  } finally {
    await deleteNetns(ns);
  }
}
