// The message bus between Nimbus processes, with oslo.messaging's semantics: RPC over topics
// (call / cast / fanout) and notifications. Implementations: memory-bus.ts and amqp-bus.ts;
// test/integration/bus/bus-contract.ts holds them to the same behaviour.

/** Where an RPC goes: every server of `topic` (one of them for call/cast), or `topic.host` only. */
export interface Target {
  readonly topic: string;
  readonly host?: string;
}

/**
 * RPC arguments, like oslo's kwargs: a JSON object. Values are `unknown` on purpose: the bus
 * is a trust boundary, so a handler parses its arguments before using them.
 */
export type BusArgs = Readonly<Record<string, unknown>>;

export type MessageKind = 'call' | 'cast' | 'fanout';

/** What a handler knows about the message it is handling. */
export interface CallContext {
  readonly kind: MessageKind;
  readonly method: string;
  readonly topic: string;
  /** The host of the server handling the message (not the sender). */
  readonly host: string;
  readonly messageId: string;
  /** True when the broker delivers the message again after a consumer died mid-way. */
  readonly redelivered: boolean;
}

/** Handlers must be idempotent: AMQP redelivers a message whose handler did not finish. */
export type Handler = (args: BusArgs, ctx: CallContext) => Promise<unknown>;
export type Handlers = Readonly<Record<string, Handler>>;

export interface CallOptions {
  /** Default: the bus's defaultCallTimeoutMs (60 s, oslo's rpc_response_timeout). */
  readonly timeoutMs?: number;
}

/** oslo.messaging's notification priorities. */
export type NotificationPriority = 'AUDIT' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SAMPLE';

export interface NotifyOptions {
  /** Who sends it, oslo style: `network.node1`, `identity.host`. */
  readonly publisherId: string;
  /** Default 'INFO'. */
  readonly priority?: NotificationPriority;
}

/** The oslo notification envelope; field names are oslo's so it can be forwarded as is. */
export interface Notification {
  readonly message_id: string;
  /** ISO 8601, UTC. */
  readonly timestamp: string;
  readonly event_type: string;
  readonly publisher_id: string;
  readonly priority: NotificationPriority;
  readonly payload: unknown;
}

export type NotificationHandler = (notification: Notification) => Promise<void> | void;

/** A running RPC server; stop() stops new deliveries and waits for those in progress. */
export interface Server {
  readonly topic: string;
  readonly host: string;
  stop(): Promise<void>;
}

export interface Subscription {
  readonly pattern: string;
  stop(): Promise<void>;
}

export interface Bus {
  /** Request/response. Rejects with RemoteError, BusTimeoutError or BusClosedError. */
  call(target: Target, method: string, args?: BusArgs, options?: CallOptions): Promise<unknown>;
  /** One server of the topic (round-robin), or the one server of topic.host. */
  cast(target: Target, method: string, args?: BusArgs): Promise<void>;
  /** Every server listening on the topic. */
  fanout(topic: string, method: string, args?: BusArgs): Promise<void>;
  notify(eventType: string, payload: unknown, options: NotifyOptions): Promise<void>;
  /** `pattern` is a glob over event types: `*` matches any run of characters (`port.*`, `*`). */
  subscribeNotifications(pattern: string, handler: NotificationHandler): Promise<Subscription>;
  /** Listens on the topic's shared queue, on `topic.host`, and on the topic's fanout. */
  serve(topic: string, host: string, handlers: Handlers): Promise<Server>;
  /** Closes everything at once: pending calls reject, in-flight handlers are not awaited. */
  close(): Promise<void>;
}

/** Options common to every driver. */
export interface BusOptions {
  readonly defaultCallTimeoutMs?: number;
  /** Errors nobody awaits: cast/fanout/notification handler failures, malformed messages, a lost connection. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
