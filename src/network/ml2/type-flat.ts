// The flat type: an untagged physical network. One flat network per physnet — the claim
// (flat, physnet, 0) makes a second one fail with FlatNetworkInUse. Never a tenant type.
import { ApiError } from '../../core/errors.js';
import { invalidInput } from '../domain/errors.js';
import { isClaimed } from './allocation.js';
import { prohibitedKeys, type TypeDriver } from './type-driver.js';

export function flatNetworkInUse(physnet: string): ApiError {
  return new ApiError(409, `Unable to create the flat network. Physical network ${physnet} is in use.`, 'FlatNetworkInUse');
}

/** `flatNetworks`: '*' allows any physnet, an empty list disables flat provider networks. */
export function flatTypeDriver(flatNetworks: readonly string[], globalMtu: number): TypeDriver {
  const any = flatNetworks.includes('*');
  return {
    type: 'flat',
    validateProvider(request) {
      const physnet = request.physical_network;
      if (!physnet) throw invalidInput('physical_network required for flat provider network');
      if (flatNetworks.length === 0) throw invalidInput('Flat provider networks are disabled');
      if (!any && !flatNetworks.includes(physnet)) throw invalidInput(`physical_network '${physnet}' unknown for flat provider network`);
      const bad = prohibitedKeys(request, ['physical_network'], 'flat');
      if (bad !== undefined) throw invalidInput(bad);
    },
    async reserveProvider(trx, request) {
      const physnet = request.physical_network ?? '';
      const claim = { physical_network: physnet, segmentation_id: 0 };
      if (await isClaimed(trx, 'flat', claim)) throw flatNetworkInUse(physnet);
      return { segment: { network_type: 'flat', physical_network: physnet, segmentation_id: null }, claim };
    },
    async allocateTenant() { return undefined; },
    mtu: () => globalMtu,
  };
}
