/**
 * A test's own corner of RabbitMQ: queues and exchanges with unique names, publishing in
 * binary mode as a producer using the codec would, and collectors that read a queue into
 * memory. `close()` deletes everything the test declared.
 */
import { type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect, type Options } from 'amqplib';
import { decode, encode } from '../../adapters/amqp/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { amqpUrl, uniqueName } from '../support/brokers.ts';

export interface Collected {
  readonly messages: ConsumeMessage[];
  /** The messages decoded with the adapter's codec (binary, structured or wrapped). */
  events(): CloudEvent[];
}

export class AmqpTestBroker {
  readonly channel: ConfirmChannel;
  readonly #model: ChannelModel;
  readonly #queues: string[] = [];
  readonly #exchanges: string[] = [];

  private constructor(model: ChannelModel, channel: ConfirmChannel) {
    this.#model = model;
    this.channel = channel;
  }

  static async connect(): Promise<AmqpTestBroker> {
    const model = await connect(amqpUrl());
    model.on('error', () => {});
    const channel = await model.createConfirmChannel();
    channel.on('error', () => {});
    return new AmqpTestBroker(model, channel);
  }

  /** A new durable queue; `deadLetterExchange` as the trigger declares it. */
  async queue(name = uniqueName('spindle-amqp'), options: { deadLetterExchange?: string } = {}): Promise<string> {
    const args =
      options.deadLetterExchange === undefined ? {} : { 'x-dead-letter-exchange': options.deadLetterExchange };
    await this.channel.assertQueue(name, { durable: true, arguments: args });
    this.#queues.push(name);
    return name;
  }

  async exchange(name: string, type: 'fanout' | 'topic' | 'direct' = 'fanout'): Promise<string> {
    await this.channel.assertExchange(name, type, { durable: true });
    this.#exchanges.push(name);
    return name;
  }

  /** A sink URI publishing to `queue` through the default exchange. */
  sinkUri(queue: string, params: Record<string, string> = {}): string {
    const url = new URL(amqpUrl());
    url.searchParams.set('routing_key', queue);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /** Publish events in binary mode (the codec's default) and wait for the broker's confirms. */
  async publish(queue: string, events: CloudEvent[]): Promise<void> {
    for (const event of events) {
      const { content, options } = encode(event, { mode: 'binary' });
      this.channel.sendToQueue(queue, content, { ...options, persistent: true });
    }
    await this.channel.waitForConfirms();
  }

  async publishRaw(queue: string, content: Uint8Array, options: Options.Publish = {}): Promise<void> {
    this.channel.sendToQueue(queue, Buffer.from(content), options);
    await this.channel.waitForConfirms();
  }

  /** Consume `queue` into memory, acking as it goes. */
  async collect(queue: string): Promise<Collected> {
    const messages: ConsumeMessage[] = [];
    await this.channel.consume(queue, (message) => {
      if (message === null) return;
      messages.push(message);
      this.channel.ack(message);
    });
    return {
      messages,
      events: () =>
        messages.flatMap((m) => {
          const decoded = decode({ queue, content: m.content, fields: m.fields, properties: m.properties });
          return decoded.ok ? [decoded.event] : [decoded.raw];
        }),
    };
  }

  /** How many messages `queue` holds ready (not in flight). */
  async depth(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  async close(): Promise<void> {
    for (const queue of this.#queues) await this.channel.deleteQueue(queue).catch(() => {});
    for (const exchange of this.#exchanges) await this.channel.deleteExchange(exchange).catch(() => {});
    await this.#model.close().catch(() => {});
  }
}
