// Name checks shared by every driver. AMQP routing keys are dot-separated words and binding
// keys treat `*` and `#` as wildcards, so names are restricted to keep routing unambiguous:
// a topic has no dot (so `topic.host` splits one way), a host may be a dotted DNS name.
import type { Target } from './bus.js';
import { InvalidArgumentError } from './errors.js';

const WORD = '[A-Za-z0-9_-]+';
const TOPIC = new RegExp(`^${WORD}$`);
const DOTTED = new RegExp(`^${WORD}(\\.${WORD})*$`);
const METHOD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATTERN = /^[A-Za-z0-9_.*-]+$/;
const MAX_LENGTH = 200;

function check(what: string, value: unknown, re: RegExp, rule: string): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !re.test(value)) {
    throw new InvalidArgumentError(what, value, rule);
  }
  return value;
}

export function checkTopic(topic: unknown): string {
  return check('topic', topic, TOPIC, 'use letters, digits, "-" and "_" (no dots)');
}

export function checkHost(host: unknown): string {
  return check('host', host, DOTTED, 'use dot-separated words of letters, digits, "-" and "_"');
}

export function checkMethod(method: unknown): string {
  return check('method', method, METHOD, 'use an identifier (letters, digits, "_")');
}

export function checkEventType(eventType: unknown): string {
  return check('event type', eventType, DOTTED, 'use dot-separated words, e.g. "port.create.end"');
}

export function checkPattern(pattern: unknown): string {
  return check('notification pattern', pattern, PATTERN, 'use event type characters and "*"');
}

export function checkTarget(target: Target): Target {
  if (typeof target !== 'object' || target === null) {
    throw new InvalidArgumentError('target', target, 'expected { topic, host? }');
  }
  const topic = checkTopic(target.topic);
  return target.host === undefined ? { topic } : { topic, host: checkHost(target.host) };
}

/** `topic` or `topic.host`, as oslo names the queues; for messages and logs. */
export function describeTarget(target: Target): string {
  return target.host === undefined ? target.topic : `${target.topic}.${target.host}`;
}

/** Timeouts and limits; AMQP's per-message TTL is an integer of milliseconds too. */
export function checkPositiveInteger(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(what, value, 'use a positive integer');
  }
  return value;
}
