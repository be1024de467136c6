// Nova's exceptions (nova/exception.py) that the compute API raises, with their messages, as
// ApiErrors carrying the status the API maps them to.
import { ApiError } from '../../core/errors.js';

const e = (status: number, kind: string) => (message: string): ApiError => new ApiError(status, message, kind);

export const policyNotAuthorized = (action: string): ApiError =>
  e(403, 'PolicyNotAuthorized')(`Policy doesn't allow ${action} to be performed.`);

export const flavorNotFound = (flavorId: string): ApiError => e(404, 'FlavorNotFound')(`Flavor ${flavorId} could not be found.`);
export const flavorExists = (name: string): ApiError => e(409, 'FlavorExists')(`Flavor with name ${name} already exists.`);
export const flavorIdExists = (flavorId: string): ApiError => e(409, 'FlavorIdExists')(`Flavor with ID ${flavorId} already exists.`);
export const flavorExtraSpecNotFound = (flavorId: string, key: string): ApiError =>
  e(404, 'FlavorExtraSpecsNotFound')(`Flavor ${flavorId} has no extra specs with key ${key}.`);
export const flavorAccessExists = (flavorId: string, projectId: string): ApiError =>
  e(409, 'FlavorAccessExists')(`Flavor access already exists for flavor ${flavorId} and project ${projectId} combination.`);
export const flavorAccessNotFound = (flavorId: string, projectId: string): ApiError =>
  e(404, 'FlavorAccessNotFound')(`Flavor access not found for ${flavorId} / ${projectId} combination.`);

export const keypairNotFound = (name: string, userId: string): ApiError =>
  e(404, 'KeypairNotFound')(`Keypair ${name} not found for user ${userId}`);
export const keypairExists = (name: string): ApiError => e(409, 'KeyPairExists')(`Key pair '${name}' already exists.`);
export const invalidKeypair = (reason: string): ApiError => e(400, 'InvalidKeypair')(`Keypair data is invalid: ${reason}`);
export const keypairLimitExceeded = (): ApiError => e(403, 'KeypairLimitExceeded')('Quota exceeded, too many key pairs.');

export const markerNotFound = (marker: string): ApiError => e(400, 'MarkerNotFound')(`Marker ${marker} could not be found.`);
export const invalidInput = (reason: string): ApiError => e(400, 'InvalidInput')(`Invalid input received: ${reason}`);
export const invalidProject = (projectId: string): ApiError => e(400, 'BadRequest')(`Project ID ${projectId} is not a valid project.`);
