// Server side of RPC, shared by every driver: decode a delivered request, run its handler,
// and turn the outcome into a reply. Drivers only move bytes and acknowledge them.
import type { CallContext, Handlers } from './bus.js';
import { BusMessageError, UNSUPPORTED_METHOD } from './errors.js';
import { decodeRequest, encodeReply } from './wire.js';
import type { ReplyMessage, RequestMessage } from './wire.js';

export interface ServerIdentity {
  readonly topic: string;
  readonly host: string;
}

/**
 * Handles one delivery. Resolves to the encoded reply for a call, undefined otherwise; never
 * rejects, because a failed cast or a malformed message has nobody to answer but onError.
 */
export async function handleDelivery(
  body: string,
  redelivered: boolean,
  server: ServerIdentity,
  handlers: Handlers,
  onError: (error: unknown) => void,
): Promise<string | undefined> {
  let request: RequestMessage;
  try {
    request = decodeRequest(body);
  } catch (error) {
    onError(error);
    return undefined;
  }
  const ctx: CallContext = {
    kind: request.kind,
    method: request.method,
    topic: server.topic,
    host: server.host,
    messageId: request.message_id,
    redelivered,
  };
  const reply = await runHandler(handlers, request, ctx);
  if (request.kind === 'call') return encodeReply(reply);
  if (!reply.ok) {
    onError(new BusMessageError(
      `${request.kind} ${request.method} on ${server.topic}.${server.host} failed: ` +
        `${reply.error.name}: ${reply.error.message}`,
    ));
  }
  return undefined;
}

async function runHandler(handlers: Handlers, request: RequestMessage, ctx: CallContext): Promise<ReplyMessage> {
  // Own properties only: a method called "constructor" or "toString" must not reach Object's.
  const handler = Object.hasOwn(handlers, request.method) ? handlers[request.method] : undefined;
  if (typeof handler !== 'function') {
    return failure(UNSUPPORTED_METHOD, `Endpoint does not support RPC method ${request.method} on topic ${ctx.topic}`);
  }
  try {
    const result = await handler(request.args, ctx);
    return { ok: true, result: result === undefined ? null : result };
  } catch (error) {
    return error instanceof Error ? failure(errorName(error), error.message) : failure('Error', String(error));
  }
}

/** `class NotFound extends Error {}` keeps name "Error" unless it sets one: use the class name. */
function errorName(error: Error): string {
  return error.name === 'Error' && error.constructor.name !== '' ? error.constructor.name : error.name;
}

function failure(name: string, message: string): ReplyMessage {
  return { ok: false, error: { name, message } };
}
