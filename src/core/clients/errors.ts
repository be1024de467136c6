// What a call to another service's API can fail with. One base class, so a caller that only wants
// "the other service said no or could not be reached" catches ServiceClientError.

export abstract class ServiceClientError extends Error {
  abstract readonly service: string;
}

/** The other service answered with an error status; `body` is its fault, parsed when JSON. */
export class ServiceApiError extends ServiceClientError {
  constructor(
    readonly status: number,
    readonly service: string,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
    /** The answering service's x-openstack-request-id, for following the call in its logs. */
    readonly requestId?: string,
  ) {
    super(`${service} ${method} ${path}: ${status}${faultMessage(body) ? ` ${faultMessage(body)}` : ''}`);
    this.name = 'ServiceApiError';
  }

  /** The fault's human message, whatever the service's fault format. */
  get detail(): string | undefined {
    return faultMessage(this.body);
  }

  /** Placement's machine-readable error code (`placement.concurrent_update`), when given. */
  get code(): string | undefined {
    return faultCode(this.body);
  }
}

/** No answer: connection refused or reset, DNS failure, or the time limit ran out. */
export class ServiceUnavailableError extends ServiceClientError {
  constructor(
    readonly service: string,
    readonly method: string,
    readonly path: string,
    readonly reason: 'timeout' | 'connection',
    options?: { cause?: unknown },
  ) {
    super(`${service} ${method} ${path}: ${reason === 'timeout' ? 'timed out' : `unreachable (${causeText(options?.cause)})`}`, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** The catalog of the service user's token has no endpoint for this service type, interface and region. */
export class EndpointNotFoundError extends ServiceClientError {
  constructor(readonly service: string, readonly iface: string, readonly region: string | undefined) {
    super(`no ${iface} endpoint for service type ${service}${region ? ` in region ${region}` : ''} in the catalog`);
    this.name = 'EndpointNotFoundError';
  }
}

export function isServiceApiError(err: unknown, status?: number): err is ServiceApiError {
  return err instanceof ServiceApiError && (status === undefined || err.status === status);
}

function causeText(cause: unknown): string {
  const c = cause as { code?: unknown; cause?: { code?: unknown }; message?: unknown } | undefined;
  const code = c?.cause?.code ?? c?.code;
  return typeof code === 'string' ? code : typeof c?.message === 'string' ? c.message : 'network error';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The message of any OpenStack fault: Keystone {error:{message}}, Neutron {NeutronError:{message}},
 * Placement {errors:[{detail}]}, Glance {message}, Nova {itemNotFound:{message}}; or plain text.
 */
export function faultMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return str(body.trim().slice(0, 500));
  if (!isObj(body)) return undefined;
  const errors = body.errors;
  if (Array.isArray(errors) && isObj(errors[0])) return str(errors[0].detail) ?? str(errors[0].title);
  if (str(body.message)) return str(body.message);
  for (const value of Object.values(body)) {
    if (isObj(value) && str(value.message)) return str(value.message);
  }
  return undefined;
}

function faultCode(body: unknown): string | undefined {
  if (!isObj(body)) return undefined;
  const errors = body.errors;
  if (Array.isArray(errors) && isObj(errors[0])) return str(errors[0].code);
  return undefined;
}
