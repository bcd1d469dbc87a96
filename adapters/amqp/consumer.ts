/**
 * Consumes one queue along one route, at least once:
 *
 * - Up to `prefetch` deliveries are in flight on the channel at once; each is acked as
 *   soon as its own outcome allows (AMQP acks by delivery tag, in any order).
 * - `ack` on every outcome but `failed` (emitted, filtered, dead-lettered, reply).
 * - `failed` (no dead-letter sink, or it failed too): when the trigger knows the queue's
 *   dead-letter exchange (`dead_letter_exchange`), `nack` without requeue so that the
 *   broker dead-letters it there. When it does not, a nack without requeue could drop
 *   the message silently, so it is requeued after `retry.max_delay_ms` instead, with an
 *   error in the log: the message comes back until it can be processed or someone
 *   configures a dead-letter destination. It holds a prefetch slot while it waits.
 * - At shutdown (`ctx.signal`) a failure may only mean that retries were cut short: the
 *   message is requeued at once for another consumer, never dead-lettered.
 * - A lost connection or channel is reopened by AmqpLink; deliveries of the old channel
 *   are not acked (their tags are void) and the broker redelivers them.
 * - Drain: cancel the consumer, finish and ack what is in flight, then close.
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import {
  InFlight,
  ManifestError,
  type Outcome,
  pause,
  type Route,
  SpindleError,
  type TriggerContext,
} from '../../src/adapter.ts';
import { decode } from './codec.ts';
import type { AmqpTriggerConfig } from './config.ts';
import { AmqpLink } from './link.ts';
import { brokerReason, declareTopology } from './topology.ts';

export class QueueConsumer {
  readonly #ctx: TriggerContext;
  readonly #config: AmqpTriggerConfig;
  readonly #route: Route;
  readonly #logger: Logger;
  readonly #link: AmqpLink<Channel>;
  readonly #inFlight = new InFlight();
  /** Consumer tag per channel, for cancel at drain. */
  readonly #tags = new WeakMap<Channel, string>();
  #draining = false;

  constructor(ctx: TriggerContext, config: AmqpTriggerConfig, route: Route) {
    this.#ctx = ctx;
    this.#config = config;
    this.#route = route;
    this.#logger = ctx.logger.child({ queue: config.queue });
    this.#link = new AmqpLink({
      url: config.url,
      name: config.safeUrl,
      connectionName: `spindle ${ctx.app.name} amqp trigger, queue ${config.queue}`,
      socket: config.socket,
      logger: this.#logger,
      create: (model: ChannelModel) => model.createChannel(),
      setup: (channel, model) => this.#setup(channel, model),
      // Up means set up: the queue declared and consumed on the new channel.
      onChange: (change) => {
        if (change.up) ctx.status.ready(config.table, 'consuming');
        else ctx.status.notReady(config.table, 'reconnecting', change.error);
      },
    });
  }

  /** Connect, declare and consume; rejects with the reason when the broker refuses. */
  async start(): Promise<void> {
    this.#ctx.status.notReady(this.#config.table, 'connecting');
    try {
      await this.#link.start();
    } catch (cause) {
      if (cause instanceof ManifestError) throw cause;
      const reason = `cannot connect to ${this.#config.safeUrl}: ${brokerReason(cause)}`;
      throw new ManifestError(this.#ctx.app.file, this.#config.table, 'url', reason, { cause });
    }
  }

  async drain(): Promise<void> {
    this.#draining = true;
    this.#link.hold();
    const channel = this.#link.channel;
    const tag = channel && this.#tags.get(channel);
    if (channel && tag) await channel.cancel(tag).catch(() => {});
    await this.#inFlight.idle();
  }

  close(): Promise<void> {
    return this.#link.close();
  }

  /**
   * Messages of the queue not acknowledged yet: ready in the queue (its message count)
   * plus delivered to this consumer and in flight. Undefined while the channel is down.
   */
  async lag(): Promise<number | undefined> {
    const channel = this.#link.channel;
    if (channel === undefined) return undefined;
    const { messageCount } = await channel.checkQueue(this.#config.queue);
    return messageCount + this.#inFlight.size;
  }

  async #setup(channel: Channel, model: ChannelModel): Promise<void> {
    await declareTopology(model, channel, this.#config, this.#ctx.app.file);
    await channel.prefetch(this.#config.prefetch);
    const { consumerTag } = await channel.consume(this.#config.queue, (message) => this.#receive(channel, message));
    this.#tags.set(channel, consumerTag);
  }

  #receive(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted, or a quorum queue moved).
      this.#link.reset(channel, `the broker cancelled the consumer of queue ${this.#config.queue}`);
      return;
    }
    if (this.#draining) {
      this.#settle(channel, message, 'requeue');
      return;
    }
    void this.#inFlight.run(() => this.#handle(channel, message));
  }

  async #handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    let outcome: Outcome | undefined;
    try {
      const decoded = decode(
        { queue: this.#config.queue, content: message.content, fields: message.fields, properties: message.properties },
        this.#config.messageType === undefined ? {} : { type: this.#config.messageType },
      );
      [outcome] = await this.#ctx.dispatchDecoded(this.#route, [decoded]);
    } catch (cause) {
      this.#logger.error({ err: cause }, 'unexpected failure delivering an amqp message');
    }
    outcome ??= { kind: 'failed', error: new SpindleError('unexpected failure delivering it', { retriable: true }) };
    if (outcome.kind !== 'failed') return this.#settle(channel, message, 'ack');
    await this.#keep(channel, message, outcome.error);
  }

  /** A message that could not be processed: to the queue's dead-letter exchange, or back to the queue. */
  async #keep(channel: Channel, message: ConsumeMessage, error: SpindleError): Promise<void> {
    const about = { messageId: message.properties.messageId, err: error.message };
    if (this.#ctx.signal.aborted) return this.#settle(channel, message, 'requeue');
    if (this.#config.deadLetterExchange !== undefined) {
      this.#logger.warn({ ...about, exchange: this.#config.deadLetterExchange }, 'nacked to the dead-letter exchange');
      return this.#settle(channel, message, 'reject');
    }
    const delayMs = this.#route.retry.maxDelayMs;
    this.#logger.error(
      { ...about, delayMs },
      'message failed and there is no dead_letter sink nor dead_letter_exchange: requeued so that it is not lost',
    );
    await pause(delayMs, this.#ctx.signal);
    this.#settle(channel, message, 'requeue');
  }

  #settle(channel: Channel, message: ConsumeMessage, how: 'ack' | 'reject' | 'requeue'): void {
    try {
      if (how === 'ack') channel.ack(message);
      else channel.nack(message, false, how === 'requeue');
    } catch {
      // The channel closed meanwhile: its delivery tags are void and the broker redelivers.
      this.#logger.debug({ messageId: message.properties.messageId, how }, 'channel gone before settling');
    }
  }
}
