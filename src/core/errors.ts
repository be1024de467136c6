// The one error type the API layer turns into an OpenStack fault. Domain code throws these with
// the message the real service gives; `kind` carries service-specific names (Neutron's `type`).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly kind: string = defaultKind(status),
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KINDS: Readonly<Record<number, string>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 412: 'PreconditionFailed', 413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType', 416: 'RangeNotSatisfiable', 429: 'TooManyRequests', 500: 'InternalServerError',
  501: 'NotImplemented', 503: 'ServiceUnavailable',
};

export function defaultKind(status: number): string {
  return KINDS[status] ?? 'Error';
}

export const badRequest = (message: string, kind?: string): ApiError => new ApiError(400, message, kind);
export const unauthorized = (message = 'The request you have made requires authentication.'): ApiError =>
  new ApiError(401, message, 'Unauthorized', { 'www-authenticate': 'Keystone uri="/v3"' });
export const forbidden = (message = 'You are not authorized to perform the requested action.', kind?: string): ApiError =>
  new ApiError(403, message, kind);
export const notFound = (message: string, kind?: string): ApiError => new ApiError(404, message, kind);
export const conflict = (message: string, kind?: string): ApiError => new ApiError(409, message, kind);
export const notImplemented = (message: string): ApiError => new ApiError(501, message);

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
