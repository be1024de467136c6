// Neutron's port-specific faults.
import { ApiError } from '../../../core/errors.js';

export const addressPairNeedsPortSecurity = (): ApiError =>
  new ApiError(409, 'Port Security must be enabled in order to have allowed address pairs on a port.', 'AddressPairAndPortSecurityRequired');

/** neutron_lib's PortSecurityAndIPRequiredForSecurityGroups is an InvalidInput: 400. */
export const groupsNeedPortSecurity = (): ApiError =>
  new ApiError(400, 'Port security must be enabled and port must have an IP address in order to use security groups.', 'PortSecurityAndIPRequiredForSecurityGroups');

export const portHasSecurityGroup = (): ApiError =>
  new ApiError(409, 'Port has security group associated. Cannot disable port security or IP address until security group is removed.', 'PortSecurityPortHasSecurityGroup');

export const servicePortInUse = (portId: string, deviceOwner: string): ApiError =>
  new ApiError(409, `Port ${portId} cannot be deleted directly via the port API: has device owner ${deviceOwner}.`, 'ServicePortInUse');

export const portBound = (portId: string, vifType: string, oldMac: string, newMac: string): ApiError =>
  new ApiError(409, `Unable to complete operation on port ${portId}, port is already bound, port type: ${vifType}, old_mac ${oldMac}, new_mac ${newMac}.`, 'PortBound');

export const notAllowedOnNetwork = (projectId: string): ApiError =>
  new ApiError(403, `Tenant ${projectId} not allowed to create port on this network`, 'HTTPForbidden');
