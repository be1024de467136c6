// The vlan type: 802.1Q ids on physical networks listed in networkVlanRanges
// ("physnet" = provider networks only, "physnet:min:max" = also a tenant pool).
import { ConfigError } from '../../core/config.js';
import { ApiError } from '../../core/errors.js';
import { invalidInput } from '../domain/errors.js';
import { isClaimed, parseRange, pickFreeId, type Range } from './allocation.js';
import { noNetworkAvailable, prohibitedKeys, type TypeDriver } from './type-driver.js';

export const MIN_VLAN_TAG = 1;
export const MAX_VLAN_TAG = 4094;

export function vlanIdInUse(vlanId: number, physnet: string): ApiError {
  return new ApiError(409, `Unable to create the network. The VLAN ${vlanId} on physical network ${physnet} is in use.`, 'VlanIdInUse');
}

/** physnet → its tenant ranges (possibly none), in configuration order. */
export function parseVlanRanges(entries: readonly string[]): Map<string, Range[]> {
  const out = new Map<string, Range[]>();
  for (const entry of entries) {
    const [physnet, ...rest] = entry.split(':').map((p) => p.trim());
    if (!physnet) throw new ConfigError('network.networkVlanRanges', `'${entry}' has no physical network`);
    const ranges = out.get(physnet) ?? [];
    if (rest.length > 0) ranges.push(parseRange(rest.join(':'), 'network.networkVlanRanges', MAX_VLAN_TAG));
    out.set(physnet, ranges);
  }
  return out;
}

export function vlanTypeDriver(vlanRanges: readonly string[], globalMtu: number): TypeDriver {
  const ranges = parseVlanRanges(vlanRanges);
  const allocateOn = async (trx: Parameters<TypeDriver['allocateTenant']>[0], physnet: string) => {
    const id = await pickFreeId(trx, 'vlan', physnet, ranges.get(physnet) ?? []);
    if (id === undefined) return undefined;
    return { segment: { network_type: 'vlan', physical_network: physnet, segmentation_id: id }, claim: { physical_network: physnet, segmentation_id: id } };
  };
  return {
    type: 'vlan',
    validateProvider(request) {
      const physnet = request.physical_network;
      const id = request.segmentation_id;
      if (physnet) {
        if (!ranges.has(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for VLAN provider network`);
        if (id !== null) {
          if (id < MIN_VLAN_TAG || id > MAX_VLAN_TAG) throw invalidInput(`segmentation_id out of range (${MIN_VLAN_TAG} through ${MAX_VLAN_TAG})`);
        } else if ((ranges.get(physnet) ?? []).length === 0) {
          throw invalidInput(`Physical network ${physnet} requires segmentation_id to be specified when creating a provider network`);
        }
      } else if (id !== null) {
        throw invalidInput('segmentation_id requires physical_network for VLAN provider network');
      }
      const bad = prohibitedKeys(request, ['physical_network', 'segmentation_id'], 'VLAN');
      if (bad !== undefined) throw invalidInput(bad);
    },
    async reserveProvider(trx, request) {
      const physnet = request.physical_network;
      if (!physnet) {
        // Neutron: a vlan request with no physnet takes any tenant VLAN.
        for (const name of ranges.keys()) {
          const got = await allocateOn(trx, name);
          if (got !== undefined) return got;
        }
        throw noNetworkAvailable();
      }
      if (request.segmentation_id === null) {
        const got = await allocateOn(trx, physnet);
        if (got === undefined) throw noNetworkAvailable();
        return got;
      }
      const claim = { physical_network: physnet, segmentation_id: request.segmentation_id };
      if (await isClaimed(trx, 'vlan', claim)) throw vlanIdInUse(request.segmentation_id, physnet);
      return { segment: { network_type: 'vlan', physical_network: physnet, segmentation_id: request.segmentation_id }, claim };
    },
    async allocateTenant(trx) {
      for (const physnet of ranges.keys()) {
        const got = await allocateOn(trx, physnet);
        if (got !== undefined) return got;
      }
      return undefined;
    },
    mtu: () => globalMtu,
  };
}
