// Placement's error codes (placement/errors.py) carried in ApiError.kind; the fault renderer
// shows them as `code` from microversion 1.23. Anything without one is placement.undefined_code.
import { ApiError } from '../../core/errors.js';

export const CODES = {
  DEFAULT: 'placement.undefined_code',
  INVENTORY_INUSE: 'placement.inventory.inuse',
  CONCURRENT_UPDATE: 'placement.concurrent_update',
  DUPLICATE_NAME: 'placement.duplicate_name',
  PROVIDER_IN_USE: 'placement.resource_provider.inuse',
  PROVIDER_CANNOT_DELETE_PARENT: 'placement.resource_provider.cannot_delete_parent',
  RESOURCE_PROVIDER_NOT_FOUND: 'placement.resource_provider.not_found',
  ILLEGAL_DUPLICATE_QUERYPARAM: 'placement.query.duplicate_key',
  QUERYPARAM_BAD_VALUE: 'placement.query.bad_value',
  QUERYPARAM_MISSING_VALUE: 'placement.query.missing_value',
} as const;

export type PlacementCode = (typeof CODES)[keyof typeof CODES];

export const badRequest = (message: string, code: PlacementCode = CODES.DEFAULT): ApiError => new ApiError(400, message, code);
export const notFound = (message: string, code: PlacementCode = CODES.DEFAULT): ApiError => new ApiError(404, message, code);
export const conflict = (message: string, code: PlacementCode = CODES.DEFAULT): ApiError => new ApiError(409, message, code);

/** The one message every "the provider moved under you" conflict uses when retries run out. */
export const concurrentUpdate = (message = 'Another thread concurrently updated the data. Please retry your update'): ApiError =>
  conflict(message, CODES.CONCURRENT_UPDATE);

export const providerNotFound = (uuid: string): ApiError => notFound(`No resource provider with uuid ${uuid} found`);
export const resourceClassNotFoundText = (name: string): string => `No such resource class ${name}.`;
export const traitNotFoundText = (names: readonly string[]): string => `No such trait(s): ${names.join(', ')}.`;
