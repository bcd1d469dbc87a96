/**
 * Pub/sub channels on one Redis server, Spin's Redis trigger: ONE subscription per
 * channel, every component on the channel gets every message (fan-out).
 *
 * Pub/sub is at most once by nature: Redis keeps nothing, so a message published while
 * spindle is down or reconnecting is never seen, and a message whose processing failed
 * cannot be delivered again. Use `stream = "..."` for at-least-once delivery.
 *
 * Messages of one channel are handled one after another, in the order published.
 * ioredis resubscribes by itself after a reconnect.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { InFlight } from '../../src/adapter.ts';
import type { MessageHandler } from './message.ts';

export class ChannelSubscriber {
  readonly #client: Redis;
  readonly #handlers: ReadonlyMap<string, MessageHandler>;
  readonly #logger: Logger;
  readonly #inFlight = new InFlight();
  /** Per channel, the tail of its queue of messages. */
  readonly #tails = new Map<string, Promise<void>>();
  #stopping = false;

  /** `client` becomes a subscriber connection: it can serve nothing else. */
  constructor(client: Redis, handlers: ReadonlyMap<string, MessageHandler>, logger: Logger) {
    this.#client = client;
    this.#handlers = handlers;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    this.#client.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#receive(channel.toString(), message));
    await this.#client.subscribe(...this.#handlers.keys());
  }

  /** Unsubscribe, then finish the messages already received. */
  async drain(): Promise<void> {
    this.#stopping = true;
    await this.#client.unsubscribe().catch(() => undefined);
    await this.#inFlight.idle();
  }

  #receive(channel: string, message: Buffer): void {
    const handle = this.#handlers.get(channel);
    if (handle === undefined || this.#stopping) return;
    const previous = this.#tails.get(channel) ?? Promise.resolve();
    // Counted from the moment it is queued, so that drain waits for the whole queue.
    const next = this.#inFlight.run(async () => {
      await previous;
      try {
        await handle({ kind: 'channel', channel, payload: new Uint8Array(message) });
      } catch (error) {
        this.#logger.error({ channel, err: (error as Error).message }, 'unexpected failure handling a message');
      }
    });
    this.#tails.set(channel, next);
    void next.then(() => {
      if (this.#tails.get(channel) === next) this.#tails.delete(channel);
    });
  }
}
