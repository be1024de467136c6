// An RPC server over AMQP: consumes the topic's durable shared queue, the durable topic.host
// queue, and an exclusive queue bound to the topic's fanout, on one channel of its own.
import type { ChannelModel } from 'amqplib';
import type { Handlers, Server } from './bus.js';
import { handleDelivery } from './dispatch.js';
import { AmqpConsumer } from './amqp-consumer.js';
import { queueName, routingKey } from './amqp-topology.js';

export interface AmqpServerSettings {
  readonly exchange: string;
  readonly prefetch: number;
  readonly onError: (error: unknown) => void;
}

export class AmqpServer implements Server {
  private constructor(
    readonly topic: string,
    readonly host: string,
    private readonly consumer: AmqpConsumer,
    private readonly onStopped: (server: AmqpServer) => void,
  ) {}

  static async start(
    model: ChannelModel,
    target: { readonly topic: string; readonly host: string },
    handlers: Handlers,
    settings: AmqpServerSettings,
    onStopped: (server: AmqpServer) => void,
  ): Promise<AmqpServer> {
    const { topic, host } = target;
    const { exchange, onError } = settings;
    const consumer = await AmqpConsumer.open(model, settings.prefetch, `server ${topic}.${host}`, onError);
    try {
      const { channel } = consumer;
      const shared = queueName.shared(exchange, topic);
      const own = queueName.host(exchange, topic, host);
      await channel.assertQueue(shared, { durable: true });
      await channel.bindQueue(shared, exchange, routingKey.shared(topic));
      await channel.assertQueue(own, { durable: true });
      await channel.bindQueue(own, exchange, routingKey.host(topic, host));
      const { queue: fanout } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(fanout, exchange, routingKey.fanout(topic));
      const handle = (message: { readonly content: Buffer; readonly fields: { readonly redelivered: boolean } }) =>
        handleDelivery(message.content.toString('utf8'), message.fields.redelivered, target, handlers, onError);
      for (const queue of [shared, own, fanout]) await consumer.consume(queue, handle);
    } catch (error) {
      await consumer.abandon();
      throw error;
    }
    return new AmqpServer(topic, host, consumer, onStopped);
  }

  async stop(): Promise<void> {
    this.onStopped(this);
    await this.consumer.stop();
  }

  halt(): void {
    this.onStopped(this);
    this.consumer.halt();
  }
}
