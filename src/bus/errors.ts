// The bus's error catalogue. Callers branch on the class (instanceof), never on message text.

export class BusError extends Error {
  override readonly name: string = 'BusError';
}

/** The handler on the other side threw; carries the remote error's name and message. */
export class RemoteError extends BusError {
  override readonly name = 'RemoteError';
  constructor(
    readonly remoteName: string,
    readonly remoteMessage: string,
  ) {
    super(`${remoteName}: ${remoteMessage}`);
  }
}

/** No reply in time: nobody serves the target, or the handler was too slow. */
export class BusTimeoutError extends BusError {
  override readonly name = 'BusTimeoutError';
  constructor(
    readonly target: string,
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for a reply to ${method} on ${target}`);
  }
}

/** The bus was closed: pending calls reject with this, and so does any later use. */
export class BusClosedError extends BusError {
  override readonly name = 'BusClosedError';
  constructor() {
    super('the message bus is closed');
  }
}

/** The broker cannot be reached, or the connection to it was lost. */
export class BusConnectionError extends BusError {
  override readonly name = 'BusConnectionError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
  }
}

/** A topic, host, method, event type, pattern or limit the bus refuses, e.g. one that would be ambiguous on the wire. */
export class InvalidArgumentError extends BusError {
  override readonly name = 'InvalidArgumentError';
  constructor(
    readonly what: string,
    readonly value: unknown,
    rule: string,
  ) {
    super(`invalid ${what} ${JSON.stringify(value) ?? String(value)}: ${rule}`);
  }
}

/** Arguments or a result that cannot travel as JSON, or a message that is not ours. */
export class BusMessageError extends BusError {
  override readonly name = 'BusMessageError';
}

/** The remote error name a caller sees when the server has no handler for the method. */
export const UNSUPPORTED_METHOD = 'UnsupportedMethod';

/** A readable cause, also for errors whose message is empty (AggregateError from net.connect). */
export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError) return error.errors.map(describeCause).join('; ');
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
