// A notification subscriber over AMQP: an exclusive queue of its own (so every subscriber
// gets every matching notification), bound with the pattern's literal prefix; the full glob
// is applied on delivery. Missed while down is missed: reconcilers resync periodically.
import type { ChannelModel } from 'amqplib';
import type { NotificationHandler, Subscription } from './bus.js';
import { AmqpConsumer } from './amqp-consumer.js';
import { notificationBinding } from './amqp-topology.js';
import { deliverNotification } from './notifications.js';
import { compilePattern } from './pattern.js';

export class AmqpSubscription implements Subscription {
  private constructor(
    readonly pattern: string,
    private readonly consumer: AmqpConsumer,
    private readonly onStopped: (subscription: AmqpSubscription) => void,
  ) {}

  static async start(
    model: ChannelModel,
    pattern: string,
    handler: NotificationHandler,
    settings: { readonly exchange: string; readonly prefetch: number; readonly onError: (error: unknown) => void },
    onStopped: (subscription: AmqpSubscription) => void,
  ): Promise<AmqpSubscription> {
    const matches = compilePattern(pattern);
    const { exchange, onError } = settings;
    const consumer = await AmqpConsumer.open(model, settings.prefetch, `subscription ${pattern}`, onError);
    try {
      const { queue } = await consumer.channel.assertQueue('', { exclusive: true, autoDelete: true });
      await consumer.channel.bindQueue(queue, exchange, notificationBinding(pattern));
      await consumer.consume(queue, async (message) => {
        await deliverNotification(message.content.toString('utf8'), matches, handler, onError);
        return undefined;
      });
    } catch (error) {
      await consumer.abandon();
      throw error;
    }
    return new AmqpSubscription(pattern, consumer, onStopped);
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
