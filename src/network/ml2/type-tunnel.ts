// The tunnel types (vxlan, geneve, gre): an id (VNI / key) from the configured ranges, no
// physical network. Provider ids outside the ranges are allowed (Neutron reserves them as-is).
import { ApiError } from '../../core/errors.js';
import { invalidInput } from '../domain/errors.js';
import { isClaimed, parseRange, pickFreeId } from './allocation.js';
import { noNetworkAvailable, type TypeDriver } from './type-driver.js';

export interface TunnelKind {
  readonly type: 'vxlan' | 'geneve' | 'gre';
  /** Encapsulation overhead Neutron subtracts from global_physnet_mtu (IPv4 outer header included). */
  readonly overhead: number;
  readonly maxId: number;
}

// vxlan: 20 (IPv4) + 30 (VXLAN_ENCAP_OVERHEAD); geneve: 20 + 38 (ml2_type_geneve max_header_size);
// gre: 20 + 22 (GRE_ENCAP_OVERHEAD). GRE keys are 32 bits, capped at the SQL integer maximum here.
export const TUNNEL_KINDS: Readonly<Record<TunnelKind['type'], TunnelKind>> = {
  vxlan: { type: 'vxlan', overhead: 50, maxId: 2 ** 24 - 1 },
  geneve: { type: 'geneve', overhead: 58, maxId: 2 ** 24 - 1 },
  gre: { type: 'gre', overhead: 42, maxId: 2 ** 31 - 1 },
};

export function tunnelIdInUse(id: number): ApiError {
  return new ApiError(409, `Unable to create the network. The tunnel ID ${id} is in use.`, 'TunnelIdInUse');
}

export function tunnelTypeDriver(kind: TunnelKind, rangeTexts: readonly string[], configPath: string, globalMtu: number): TypeDriver {
  const ranges = rangeTexts.map((text) => parseRange(text, configPath, kind.maxId));
  const allocate = async (trx: Parameters<TypeDriver['allocateTenant']>[0]) => {
    const id = await pickFreeId(trx, kind.type, '', ranges);
    if (id === undefined) return undefined;
    return { segment: { network_type: kind.type, physical_network: null, segmentation_id: id }, claim: { physical_network: '', segmentation_id: id } };
  };
  return {
    type: kind.type,
    validateProvider(request) {
      if (request.physical_network) throw invalidInput(`provider:physical_network specified for ${kind.type} network`);
      const id = request.segmentation_id;
      if (id !== null && (id < 1 || id > kind.maxId)) throw invalidInput(`segmentation_id out of range (1 through ${kind.maxId})`);
    },
    async reserveProvider(trx, request) {
      const id = request.segmentation_id;
      if (id === null) {
        const got = await allocate(trx);
        if (got === undefined) throw noNetworkAvailable();
        return got;
      }
      const claim = { physical_network: '', segmentation_id: id };
      if (await isClaimed(trx, kind.type, claim)) throw tunnelIdInUse(id);
      return { segment: { network_type: kind.type, physical_network: null, segmentation_id: id }, claim };
    },
    allocateTenant: allocate,
    mtu: () => globalMtu - kind.overhead,
  };
}
