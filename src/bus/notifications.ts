// Notifications, shared by every driver: building the oslo envelope on the way out, and
// filtering and running a subscriber's handler on the way in.
import { randomUUID } from 'node:crypto';
import type { Notification, NotificationHandler, NotifyOptions } from './bus.js';
import { InvalidArgumentError } from './errors.js';
import { checkEventType } from './names.js';
import type { EventTypeMatcher } from './pattern.js';
import { decodeNotification } from './wire.js';

const PRIORITIES = new Set(['AUDIT', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SAMPLE']);

export function buildNotification(eventType: string, payload: unknown, options: NotifyOptions): Notification {
  const publisherId: unknown = options?.publisherId;
  if (typeof publisherId !== 'string' || publisherId === '' || publisherId.length > 255) {
    throw new InvalidArgumentError('publisherId', publisherId, 'use a non-empty string, e.g. "network.node1"');
  }
  const priority = options.priority ?? 'INFO';
  if (!PRIORITIES.has(priority)) {
    throw new InvalidArgumentError('priority', priority, `use one of ${[...PRIORITIES].join(', ')}`);
  }
  return {
    message_id: randomUUID(),
    timestamp: new Date().toISOString(),
    event_type: checkEventType(eventType),
    publisher_id: publisherId,
    priority,
    // undefined has no JSON form; oslo sends an empty payload as null too.
    payload: payload === undefined ? null : payload,
  };
}

/** Runs the handler if the event type matches; never rejects (nobody awaits a delivery). */
export async function deliverNotification(
  body: string,
  matches: EventTypeMatcher,
  handler: NotificationHandler,
  onError: (error: unknown) => void,
): Promise<void> {
  try {
    const notification = decodeNotification(body);
    if (matches(notification.event_type)) await handler(notification);
  } catch (error) {
    onError(error);
  }
}
