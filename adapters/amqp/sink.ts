/**
 * The `amqp://` and `amqps://` sink: publishes CloudEvents to RabbitMQ (AMQP 0-9-1) with
 * publisher confirms; `send` resolves only once the broker confirmed every event.
 *
 *   amqp[s]://user:password@host:port/vhost?exchange=EXCHANGE&routing_key=KEY
 *
 *   vhost          the path, percent-encoded (`/` is `%2F`); none or empty is `/`
 *   exchange       where to publish; default: the default exchange, where the routing
 *                  key is the name of the queue that receives the event
 *   routing_key    default: the event's `type` (so topic exchanges and bindings route on
 *                  it, e.g. `order.*`); required with the default exchange
 *   mode           `binary` (default: attributes as bare headers, data as the body, as
 *                  Knative's RabbitMQ broker does; see codec.ts) or `structured`
 *                  (`application/cloudevents+json` body)
 *   header_prefix  binary mode's header names: none (default), `ce-`, `ce_`, `cloudEvents_`
 *   mandatory      `true` (default): an event that no queue receives is an error (retried,
 *                  then dead-lettered) instead of being dropped by the broker unseen
 *   persistent     `true` (default): delivery mode 2, kept on disk by durable queues
 *   heartbeat, frameMax, channelMax, locale, maxFrameSize   passed to amqplib
 *   ca, cert, key (file paths), servername, reject_unauthorized=false   TLS, amqps only
 *
 * e.g. `amqp://guest:guest@rabbitmq:5672/?exchange=events`,
 *      `amqps://spindle:secret@mq.example.com/prod?routing_key=orders-out&mode=structured`.
 * The exchange must exist (the sink checks, and does not declare it). One connection and
 * one confirm channel per URI, reconnected with backoff when lost; a send while
 * reconnecting waits a few seconds, then fails as retriable.
 */
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import type { Logger } from 'pino';
import { type CloudEvent, type EventSink, type SinkAdapter, SinkError } from '../../src/adapter.ts';
import { encode } from './codec.ts';
import { AmqpLink } from './link.ts';
import { type AmqpSinkTarget, parseSinkUri } from './sink-uri.ts';
import { brokerReason } from './topology.ts';

const READY_TIMEOUT_MS = 5_000;

export class AmqpSink implements EventSink {
  readonly uri: string;
  readonly #target: AmqpSinkTarget;
  readonly #link: AmqpLink<ConfirmChannel>;
  /** Messages the broker returned as unroutable, by channel: their confirm follows the return. */
  readonly #returned = new WeakMap<ConfirmChannel, Map<string, number>>();

  private constructor(target: AmqpSinkTarget, logger: Logger) {
    this.uri = target.safeUri;
    this.#target = target;
    this.#link = new AmqpLink({
      url: target.connectUrl,
      name: target.safeUri,
      connectionName: `spindle amqp sink ${target.safeUri}`,
      socket: target.socket,
      logger,
      create: (model: ChannelModel) => model.createConfirmChannel(),
      setup: async (channel) => {
        const returned = new Map<string, number>();
        this.#returned.set(channel, returned);
        channel.on('return', (message: Message) => {
          const key = returnKey(message.fields.routingKey, message.properties.messageId);
          returned.set(key, (returned.get(key) ?? 0) + 1);
        });
        if (target.exchange !== '') await channel.checkExchange(target.exchange);
      },
    });
  }

  static async open(uri: URL, logger: Logger): Promise<AmqpSink> {
    const sink = new AmqpSink(parseSinkUri(uri), logger);
    try {
      await sink.#link.start();
    } catch (cause) {
      const what = sink.#target.exchange === '' ? 'cannot connect' : `cannot use exchange '${sink.#target.exchange}'`;
      throw new SinkError(sink.uri, `${what}: ${brokerReason(cause)}`, { cause, retriable: false });
    }
    return sink;
  }

  async send(events: CloudEvent[]): Promise<void> {
    let channel: ConfirmChannel;
    try {
      channel = await this.#link.ready(READY_TIMEOUT_MS);
    } catch (cause) {
      throw new SinkError(this.uri, (cause as Error).message, { cause });
    }
    await Promise.all(events.map((event) => this.#publish(channel, event)));
  }

  close(): Promise<void> {
    return this.#link.close();
  }

  #publish(channel: ConfirmChannel, event: CloudEvent): Promise<void> {
    const target = this.#target;
    const { content, options } = encode(event, { mode: target.mode, headerPrefix: target.headerPrefix });
    const routingKey = target.routingKey ?? event.type;
    const key = returnKey(routingKey, options.messageId);
    return new Promise((resolve, reject) => {
      const confirmed = (error: unknown) => {
        const returned = this.#takeReturned(channel, key);
        if (error !== null && error !== undefined) {
          const reason = error instanceof Error ? error.message : 'the broker nacked it';
          reject(new SinkError(this.uri, `event ${event.id} not confirmed: ${reason}`, { cause: error }));
        } else if (returned) {
          const where = target.exchange === '' ? `no queue '${routingKey}'` : `no queue bound to '${target.exchange}'`;
          reject(new SinkError(this.uri, `event ${event.id} was returned as unroutable: ${where} for '${routingKey}'`));
        } else {
          resolve();
        }
      };
      try {
        channel.publish(
          target.exchange,
          routingKey,
          content,
          { ...options, mandatory: target.mandatory, persistent: target.persistent },
          confirmed,
        );
      } catch (cause) {
        // A closed channel is worth retrying (it reconnects); an oversized header table is not.
        const retriable = !(cause instanceof RangeError);
        reject(
          new SinkError(this.uri, `cannot publish event ${event.id}: ${(cause as Error).message}`, {
            cause,
            retriable,
          }),
        );
      }
    });
  }

  #takeReturned(channel: ConfirmChannel, key: string): boolean {
    const returned = this.#returned.get(channel);
    const count = returned?.get(key) ?? 0;
    if (count === 0) return false;
    if (count === 1) returned?.delete(key);
    else returned?.set(key, count - 1);
    return true;
  }
}

function returnKey(routingKey: string, messageId: unknown): string {
  return `${routingKey}\u0000${String(messageId)}`;
}

export const amqpSinkAdapter: SinkAdapter = {
  schemes: ['amqp', 'amqps'],
  check: (uri) => void parseSinkUri(uri),
  open: (uri, { logger }) => AmqpSink.open(uri, logger),
};
