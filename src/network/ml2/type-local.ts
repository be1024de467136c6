// The local type: a network that never leaves its host. Nothing to allocate.
import { invalidInput } from '../domain/errors.js';
import { prohibitedKeys, type TypeDriver } from './type-driver.js';

export function localTypeDriver(globalMtu: number): TypeDriver {
  const local = { network_type: 'local', physical_network: null, segmentation_id: null };
  return {
    type: 'local',
    validateProvider(request) {
      const bad = prohibitedKeys(request, [], 'local');
      if (bad !== undefined) throw invalidInput(bad);
    },
    async reserveProvider() { return { segment: local, claim: undefined }; },
    async allocateTenant() { return { segment: local, claim: undefined }; },
    mtu: () => globalMtu,
  };
}
