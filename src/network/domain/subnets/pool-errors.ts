// Neutron's subnet-pool and address-scope faults (neutron_lib exceptions).
import { ApiError } from '../../../core/errors.js';

export const subnetsBadRequest = (msg: string): ApiError => new ApiError(400, `Bad subnets request: ${msg}.`, 'BadRequest');
export const subnetAllocationError = (reason: string): ApiError =>
  // Neutron raises this as a bare NeutronException (a 500); it is a client-visible conflict, not a fault.
  new ApiError(409, `Failed to allocate subnet: ${reason}.`, 'SubnetAllocationError');
export const minPrefixError = (prefixlen: number, min: number): ApiError =>
  new ApiError(400, `Unable to allocate subnet with prefix length ${prefixlen}, minimum allowed prefix is ${min}.`, 'MinPrefixSubnetAllocationError');
export const maxPrefixError = (prefixlen: number, max: number): ApiError =>
  new ApiError(400, `Unable to allocate subnet with prefix length ${prefixlen}, maximum allowed prefix is ${max}.`, 'MaxPrefixSubnetAllocationError');
export const poolQuotaExceeded = (): ApiError => new ApiError(409, 'Per-tenant subnet pool prefix quota exceeded.', 'SubnetPoolQuotaExceeded');
export const poolAffinityError = (): ApiError =>
  new ApiError(400, 'Subnets hosted on the same network must be allocated from the same subnet pool.', 'NetworkSubnetPoolAffinityError');
export const illegalPrefixBounds = (type: string, len: number, baseType: string, baseLen: number): ApiError =>
  new ApiError(400, `Illegal prefix bounds: ${type}=${len}, ${baseType}=${baseLen}.`, 'IllegalSubnetPoolPrefixBounds');
export const illegalPrefixUpdate = (msg: string): ApiError => new ApiError(400, `Illegal update to prefixes: ${msg}.`, 'IllegalSubnetPoolPrefixUpdate');
export const addressScopeNotFound = (id: string): ApiError => new ApiError(404, `Address scope ${id} could not be found.`, 'AddressScopeNotFound');
