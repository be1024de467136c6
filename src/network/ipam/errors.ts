/**
 * The IPAM error catalogue. Each error carries Neutron's exception type (the
 * `type` of the `NeutronError` fault body), its HTTP status and Neutron's exact
 * message, so the API layer can render it without knowing where it came from.
 */
export type IpamErrorType =
  | 'InvalidInput'
  | 'BadRequest'
  | 'InvalidAllocationPool'
  | 'OutOfBoundsAllocationPool'
  | 'OverlappingAllocationPools'
  | 'GatewayConflictWithAllocationPools'
  | 'DNSNameServersExhausted'
  | 'HostRoutesExhausted'
  | 'InvalidIpForSubnet'
  | 'IpAddressAlreadyAllocated'
  | 'IpAddressGenerationFailure';

export const IPAM_ERROR_STATUS: Readonly<Record<IpamErrorType, number>> = {
  InvalidInput: 400,
  BadRequest: 400,
  InvalidAllocationPool: 400,
  OutOfBoundsAllocationPool: 400,
  OverlappingAllocationPools: 409,
  GatewayConflictWithAllocationPools: 409,
  DNSNameServersExhausted: 400,
  HostRoutesExhausted: 400,
  InvalidIpForSubnet: 400,
  IpAddressAlreadyAllocated: 409,
  IpAddressGenerationFailure: 409,
};

export class IpamError extends Error {
  readonly status: number;
  constructor(readonly type: IpamErrorType, message: string) {
    super(message);
    this.name = 'IpamError';
    this.status = IPAM_ERROR_STATUS[type];
  }
}

/** Neutron's `InvalidInput`: "Invalid input for operation: <reason>." */
export function invalidInput(reason: string): IpamError {
  return new IpamError('InvalidInput', `Invalid input for operation: ${reason}.`);
}

/** Neutron's attribute-validator failure: "Invalid input for <attr>. Reason: <reason>." */
export function invalidAttribute(attr: string, reason: string): IpamError {
  return new IpamError('InvalidInput', `Invalid input for ${attr}. Reason: ${reason}.`);
}
