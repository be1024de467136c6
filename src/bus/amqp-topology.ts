// How the bus maps onto AMQP 0-9-1: one topic exchange per deployment (oslo's control
// exchange), routing keys that start with the message kind so a topic, a host and an event
// type can never collide, and queue names prefixed with the exchange so two deployments can
// share a vhost. Hosts and event types may contain dots; routing keys take them as they are.
import { literalPrefix } from './pattern.js';

export const DEFAULT_EXCHANGE = 'nimbus';

export const routingKey = {
  /** The topic's shared queue: one server of the topic takes each message. */
  shared: (topic: string): string => `topic.${topic}`,
  /** One server: topic.host. */
  host: (topic: string, host: string): string => `host.${topic}.${host}`,
  /** Every server of the topic, each through its own exclusive queue. */
  fanout: (topic: string): string => `fanout.${topic}`,
  notification: (eventType: string): string => `notify.${eventType}`,
};

/** Durable queues: they keep casts for a server that is restarting. */
export const queueName = {
  shared: (exchange: string, topic: string): string => `${exchange}.${topic}`,
  host: (exchange: string, topic: string, host: string): string => `${exchange}.${topic}.${host}`,
};

/**
 * The binding key for a notification pattern: the broker filters on the pattern's literal
 * words, the subscriber applies the full glob. `port.*` → `notify.port.#`, `*` → `notify.#`.
 */
export function notificationBinding(pattern: string): string {
  const { words, exact } = literalPrefix(pattern);
  if (exact) return routingKey.notification(words.join('.'));
  return ['notify', ...words, '#'].join('.');
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
