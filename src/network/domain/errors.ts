// Neutron's exceptions as ApiErrors: the fault's `type` is the Neutron exception class name and
// the message is Neutron's wording, which clients and Tempest match on.
import { ApiError } from '../../core/errors.js';
import { IpamError } from '../ipam/errors.js';

/** A resource's display name in Neutron's messages ("Network", "Subnet", "Security group", …). */
export function resourceNotFound(kind: string, label: string, id: string): ApiError {
  return new ApiError(404, `${label} ${id} could not be found.`, kind);
}

export const networkNotFound = (id: string): ApiError => resourceNotFound('NetworkNotFound', 'Network', id);
export const subnetNotFound = (id: string): ApiError => resourceNotFound('SubnetNotFound', 'Subnet', id);
export const portNotFound = (id: string): ApiError => resourceNotFound('PortNotFound', 'Port', id);
// neutron-lib's RouterNotFound message has no closing period.
export const routerNotFound = (id: string): ApiError => new ApiError(404, `Router ${id} could not be found`, 'RouterNotFound');
export const subnetPoolNotFound = (id: string): ApiError => resourceNotFound('SubnetPoolNotFound', 'Subnet pool', id);
export const securityGroupNotFound = (id: string): ApiError =>
  new ApiError(404, `Security group ${id} does not exist`, 'SecurityGroupNotFound');
export const floatingIpNotFound = (id: string): ApiError =>
  new ApiError(404, `Floating IP ${id} could not be found`, 'FloatingIPNotFound');

/** neutron_lib InvalidInput: 400 "Invalid input for operation: …". */
export function invalidInput(reason: string): ApiError {
  return new ApiError(400, `Invalid input for operation: ${reason}.`.replace(/\.\.$/, '.'), 'InvalidInput');
}

/** The API layer's attribute errors (Neutron raises webob HTTPBadRequest for these). */
export function badAttribute(message: string): ApiError {
  return new ApiError(400, message, 'HTTPBadRequest');
}

export function inUse(kind: string, message: string): ApiError {
  return new ApiError(409, message, kind);
}

export function overQuota(resource: string): ApiError {
  return new ApiError(409, `Quota exceeded for resources: ['${resource}'].`, 'OverQuota');
}

export function policyNotAuthorized(rule: string): ApiError {
  return new ApiError(403, `(rule:${rule}) is disallowed by policy`, 'PolicyNotAuthorized');
}

/** The IPAM library's errors carry Neutron's type and status already. */
export function fromIpamError(err: IpamError): ApiError {
  return new ApiError(err.status, err.message, err.type);
}

/** Runs pure IPAM validation, turning its errors into API faults. */
export function ipam<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof IpamError) throw fromIpamError(err);
    throw err;
  }
}
