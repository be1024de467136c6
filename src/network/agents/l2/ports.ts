// Plugging: every `tap<port[:11]>` in the host namespace whose port is bound to this host goes
// into its network's bridge with the network's MTU, up unless the port (or network) is
// administratively down. Status goes back to the server as Neutron's update_device_up/down.
import { portDeviceName, type BoundPort, type NetworkInfo } from '../common/state.js';
import { BRIDGE_PATTERN, ensureLinkState, type L2Host, type LinkTable } from './wiring.js';

export interface WiredNetwork {
  readonly network: NetworkInfo;
  readonly bridge: string;
  readonly mtu: number;
}

export interface PlugResult {
  /** Ports whose tap is in its bridge and up. */
  readonly up: string[];
  /** Ports to report ACTIVE (up, not yet ACTIVE). */
  readonly toActive: string[];
  /** Ports to report DOWN: plugged but admin down (unless DOWN already), or ACTIVE on the server but tap gone / network not wired. */
  readonly toDown: string[];
  /** Taps enslaved to their bridge (agent configurations: devices). */
  readonly plugged: number;
}

/** Pure: the link state a port's tap should have, or undefined when it cannot be plugged. */
export function desiredTapState(port: BoundPort, wired: WiredNetwork | undefined): { master: string; mtu: number; up: boolean } | undefined {
  if (!wired) return undefined;
  return { master: wired.bridge, mtu: wired.mtu, up: port.admin_state_up && wired.network.admin_state_up };
}

export async function plugPorts(host: L2Host, links: LinkTable, ports: readonly BoundPort[],
  wired: ReadonlyMap<string, WiredNetwork>): Promise<PlugResult> {
  const up: string[] = [];
  const toActive: string[] = [];
  const toDown: string[] = [];
  let plugged = 0;
  for (const port of ports) {
    const device = portDeviceName(port.id);
    const want = desiredTapState(port, wired.get(port.network_id));
    const exists = links.get(device) !== undefined;
    const isPlugged = want !== undefined && exists && await ensureLinkState(host, links, device, want);
    if (isPlugged) plugged += 1;
    if (isPlugged && want.up) {
      up.push(port.id);
      if (port.status !== 'ACTIVE') toActive.push(port.id);
    } else if (isPlugged ? port.status !== 'DOWN' : port.status === 'ACTIVE') {
      // A port still waiting for its tap (BUILD) keeps its status.
      toDown.push(port.id);
    }
  }
  return { up, toActive, toDown, plugged };
}

/**
 * Takes `tap…` devices out of our bridges when no port bound here owns them any more (a port
 * deleted or moved while its device lingers): without a port they would have no firewall chains.
 */
export async function unplugStale(host: L2Host, links: LinkTable, ports: readonly BoundPort[]): Promise<string[]> {
  const wanted = new Set(ports.map((p) => portDeviceName(p.id)));
  const out: string[] = [];
  for (const name of links.names()) {
    const master = links.get(name)?.master;
    if (!name.startsWith('tap') || wanted.has(name) || master === undefined || !BRIDGE_PATTERN.test(master)) continue;
    await host.setLink(name, { master: null });
    await links.refresh(name);
    out.push(name);
  }
  return out;
}
