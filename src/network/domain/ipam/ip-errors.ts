// Neutron's IPAM faults for port addresses (neutron_lib / neutron.ipam exceptions).
import { ApiError } from '../../../core/errors.js';
import { invalidInput } from '../errors.js';

export const invalidIpForSubnet = (ip: string): ApiError =>
  new ApiError(400, `IP address ${ip} is not a valid IP for the specified subnet.`, 'InvalidIpForSubnet');

export const invalidIpForNetwork = (ip: string): ApiError =>
  new ApiError(400, `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`, 'InvalidIpForNetwork');

export const ipAlreadyAllocated = (ip: string, subnetId: string): ApiError =>
  new ApiError(409, `IP address ${ip} already allocated in subnet ${subnetId}`, 'IpAddressAlreadyAllocated');

export const ipGenerationFailure = (networkId: string): ApiError =>
  new ApiError(409, `No more IP addresses available on network ${networkId}.`, 'IpAddressGenerationFailure');

export const noMatchingServiceSubnet = (networkId: string, serviceType: string): ApiError =>
  new ApiError(409, `No valid service subnet for the given device owner, network ${networkId}, service type ${serviceType}.`,
    'IpAddressGenerationFailureNoMatchingSubnet');

export const allocationOnAutoAddressSubnet = (ip: string, subnetId: string): ApiError =>
  new ApiError(400, `IPv6 address ${ip} cannot be directly assigned to a port on subnet ${subnetId} as the subnet is configured for automatic addresses`,
    'AllocationOnAutoAddressSubnet');

export const invalidSubnetForPort = (networkId: string, subnetId: string): ApiError =>
  invalidInput(`Failed to create port on network ${networkId}, because fixed_ips included invalid subnet ${subnetId}`);
