// The JSON messages every driver sends. The memory driver encodes them too, so a value that
// does not survive RabbitMQ unchanged (a Date, a Map, a cycle) behaves the same way in tests.
import type { BusArgs, MessageKind, Notification, NotificationPriority } from './bus.js';
import { randomUUID } from 'node:crypto';
import { BusMessageError } from './errors.js';
import { checkMethod } from './names.js';

export interface RequestMessage {
  readonly kind: MessageKind;
  readonly message_id: string;
  readonly topic: string;
  readonly method: string;
  readonly args: BusArgs;
}

export interface RemoteFailure {
  readonly name: string;
  readonly message: string;
}

export type ReplyMessage =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: RemoteFailure };

const KINDS: readonly string[] = ['call', 'cast', 'fanout'] satisfies MessageKind[];
const PRIORITIES: readonly string[] = [
  'AUDIT', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SAMPLE',
] satisfies NotificationPriority[];

export function encode(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new BusMessageError(`message is not JSON-serialisable: ${(error as Error).message}`);
  }
  if (typeof text !== 'string') throw new BusMessageError('message is not JSON-serialisable');
  return text;
}

/** Checks what the caller gave; a fresh message id per request. */
export function buildRequest(kind: MessageKind, topic: string, method: string, args: unknown): RequestMessage {
  return { kind, message_id: randomUUID(), topic, method: checkMethod(method), args: checkArgs(args) };
}

/** Args must be a JSON object; `undefined` means none. */
export function checkArgs(args: unknown): BusArgs {
  if (args === undefined) return {};
  if (!isObject(args)) throw new BusMessageError('RPC args must be a JSON object');
  return args;
}

export function decodeRequest(text: string): RequestMessage {
  const value = parse(text);
  if (
    !isObject(value) ||
    typeof value.kind !== 'string' || !KINDS.includes(value.kind) ||
    typeof value.message_id !== 'string' ||
    typeof value.topic !== 'string' ||
    typeof value.method !== 'string' ||
    !isObject(value.args)
  ) {
    throw new BusMessageError(`not an RPC request: ${text.slice(0, 200)}`);
  }
  return value as unknown as RequestMessage;
}

export function decodeReply(text: string): ReplyMessage {
  const value = parse(text);
  if (isObject(value) && value.ok === true && 'result' in value) return value as unknown as ReplyMessage;
  if (isObject(value) && value.ok === false && isObject(value.error) &&
      typeof value.error.name === 'string' && typeof value.error.message === 'string') {
    return value as unknown as ReplyMessage;
  }
  throw new BusMessageError(`not an RPC reply: ${text.slice(0, 200)}`);
}

export function decodeNotification(text: string): Notification {
  const value = parse(text);
  if (
    !isObject(value) ||
    typeof value.message_id !== 'string' ||
    typeof value.timestamp !== 'string' ||
    typeof value.event_type !== 'string' ||
    typeof value.publisher_id !== 'string' ||
    typeof value.priority !== 'string' || !PRIORITIES.includes(value.priority) ||
    !('payload' in value)
  ) {
    throw new BusMessageError(`not a notification: ${text.slice(0, 200)}`);
  }
  return value as unknown as Notification;
}

/** A reply that always encodes: a result JSON cannot carry becomes a remote failure. */
export function encodeReply(reply: ReplyMessage): string {
  try {
    return encode(reply);
  } catch (error) {
    return encode({ ok: false, error: { name: 'BusMessageError', message: (error as Error).message } });
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BusMessageError(`message is not JSON: ${text.slice(0, 200)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
