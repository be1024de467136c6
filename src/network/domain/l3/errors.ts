// Neutron's L3 exceptions (neutron_lib.exceptions.l3 / extraroute and the port forwarding
// plugin's) as ApiErrors, with the wording clients and Tempest see.
import { ApiError } from '../../../core/errors.js';

/** neutron_lib BadRequest: "Bad <resource> request: <msg>." */
export function badRequest(resource: string, msg: string): ApiError {
  return new ApiError(400, `Bad ${resource} request: ${msg}.`.replace(/\.\.$/, '.'), 'BadRequest');
}

export const routerInUse = (routerId: string, reason = 'still has ports'): ApiError =>
  new ApiError(409, `Router ${routerId} ${reason}`, 'RouterInUse');

export const routerInterfaceNotFound = (routerId: string, portId: string): ApiError =>
  new ApiError(404, `Router ${routerId} does not have an interface with id ${portId}`, 'RouterInterfaceNotFound');

export const routerInterfaceNotFoundForSubnet = (routerId: string, subnetId: string): ApiError =>
  new ApiError(404, `Router ${routerId} has no interface on subnet ${subnetId}`, 'RouterInterfaceNotFoundForSubnet');

export const routerInterfaceInUseByFloatingIp = (routerId: string, subnetId: string): ApiError =>
  new ApiError(409, `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`, 'RouterInterfaceInUseByFloatingIP');

export const routerInterfaceInUseByRoute = (routerId: string, subnetId: string): ApiError =>
  new ApiError(409, `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more routes.`, 'RouterInterfaceInUseByRoute');

export const gatewayInUseByFloatingIp = (routerId: string, networkId: string): ApiError =>
  new ApiError(409, `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${networkId} is required by one or more floating IPs.`, 'RouterExternalGatewayInUseByFloatingIp');

export const invalidRoutes = (routes: string, reason: string): ApiError =>
  new ApiError(400, `Invalid format for routes: ${routes}, ${reason}`, 'InvalidRoutes');

export const routesExhausted = (routerId: string, max: number): ApiError =>
  new ApiError(400, `Unable to complete operation for ${routerId}. The number of routes exceeds the maximum ${max}.`, 'RoutesExhausted');

export const externalGatewayNotFound = (externalNetworkId: string, subnetId: string, portId: string): ApiError =>
  new ApiError(404, `External network ${externalNetworkId} is not reachable from subnet ${subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`, 'ExternalGatewayForFloatingIPNotFound');

export interface FipAssociationConflict {
  readonly floatingIpAddress: string;
  readonly fipId: string;
  readonly portId: string;
  readonly fixedIp: string;
  readonly networkId: string;
}

export const floatingIpPortAlreadyAssociated = (c: FipAssociationConflict): ApiError =>
  new ApiError(409, `Cannot associate floating IP ${c.floatingIpAddress} (${c.fipId}) with port ${c.portId} using fixed IP ${c.fixedIp}, as that fixed IP already has a floating IP on external network ${c.networkId}.`, 'FloatingIPPortAlreadyAssociated');

export const portInUse = (networkId: string, portId: string, deviceId: string): ApiError =>
  new ApiError(409, `Unable to complete operation on port ${portId} for network ${networkId}. Port already has an attached device ${deviceId}.`, 'PortInUse');

export const servicePortInUse = (portId: string, deviceOwner: string): ApiError =>
  new ApiError(409, `Port ${portId} cannot be deleted directly via the port API: has device owner ${deviceOwner}.`, 'ServicePortInUse');

export const portForwardingNotFound = (id: string): ApiError =>
  new ApiError(404, `Port Forwarding ${id} could not be found.`, 'PortForwardingNotFound');

export const fipInUseByPortForwarding = (fipId: string): ApiError =>
  new ApiError(409, `Floating IP ${fipId} in use by Port Forwarding resources.`, 'FipInUseByPortForwarding');

export const portHasBindingFloatingIp = (c: FipAssociationConflict): ApiError =>
  new ApiError(409, `Cannot create port forwarding to floating IP ${c.floatingIpAddress} (${c.fipId}) with port ${c.portId} using fixed IP ${c.fixedIp}, as that port already has a binding floating IP.`, 'PortHasBindingFloatingIP');
