/**
 * One AMQP connection with one channel, kept open: when either goes away (broker restart,
 * `rabbitmqctl close_all_connections`, a channel error, a missed heartbeat) both are
 * dropped and opened again with exponential backoff, and `setup` runs again on the new
 * connection (declare, prefetch, consume). Unacknowledged deliveries of the old channel
 * are requeued by the broker, so nothing is lost across a reconnect.
 *
 * Why not amqplib's own `recovery` option (amqplib >= 1.1): it recovers the connection
 * only. A channel the broker closes on a live connection (an ack with a stale delivery
 * tag, a deleted queue) stays closed; here the channel is the unit that is kept alive.
 */
import { type Channel, type ChannelModel, connect, type SocketOptions } from 'amqplib';
import type { Logger } from 'pino';
import { backoffDelay } from '../../src/adapter.ts';
import { coalesceWrites } from './coalesce-writes.ts';

export interface LinkOptions<C extends Channel> {
  /** Connection URL, password included (never logged: see `name`). */
  url: string;
  /** What logs call this link: the URL without its password. */
  name: string;
  /** The connection's name in RabbitMQ's management UI and `rabbitmqctl list_connections`. */
  connectionName: string;
  socket: SocketOptions;
  /** Create the channel on a fresh connection: `model.createChannel()` or a confirm channel. */
  create(model: ChannelModel): Promise<C>;
  /**
   * Set the new channel up (declare, prefetch, consume). A throw is a failed attempt.
   * `model` opens throwaway channels for checks whose failure closes the channel.
   */
  setup(channel: C, model: ChannelModel): Promise<void>;
  logger: Logger;
  /** Told when the channel is set up (`up`) and when it is lost or a reconnect failed (`down`, why). */
  onChange?(change: { up: true } | { up: false; error: Error }): void;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;

export class AmqpLink<C extends Channel> {
  readonly #options: LinkOptions<C>;
  #current: { model: ChannelModel; channel: C } | undefined;
  #waiters: { resolve(channel: C): void; reject(error: Error): void }[] = [];
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** No more reconnects: after `hold()` or `close()`. */
  #held = false;

  constructor(options: LinkOptions<C>) {
    this.#options = options;
  }

  /** The open channel, or undefined while reconnecting. */
  get channel(): C | undefined {
    return this.#current?.channel;
  }

  /** Connect for the first time. Rejects with the broker's reason: start-up fails clearly. */
  async start(): Promise<C> {
    const current = await this.#open();
    this.#bind(current);
    return current.channel;
  }

  /** The channel, waiting up to `timeoutMs` for a reconnect. */
  ready(timeoutMs: number): Promise<C> {
    if (this.#current) return Promise.resolve(this.#current.channel);
    if (this.#held) return Promise.reject(new Error('the connection is closed'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (channel: C) => {
          clearTimeout(timer);
          resolve(channel);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`not connected to ${this.#options.name} within ${timeoutMs} ms (reconnecting)`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Drop `channel` (if still current) and reconnect, as if the broker had closed it. */
  reset(channel: C, reason: string): void {
    if (this.#current?.channel === channel) this.#lost(new Error(reason));
  }

  /** Stop reconnecting; the current channel stays open (draining). */
  hold(): void {
    this.#held = true;
    clearTimeout(this.#timer);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error('the connection is closing'));
  }

  async close(): Promise<void> {
    this.hold();
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    await current.channel.close().catch(() => {});
    await current.model.close().catch(() => {});
  }

  async #open(): Promise<{ model: ChannelModel; channel: C }> {
    const model = await connect(this.#options.url, {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: this.#options.connectionName },
      ...this.#options.socket,
    });
    // Without listeners an 'error' event would throw; 'close' follows it and is handled.
    model.on('error', () => {});
    coalesceWrites(model);
    try {
      const channel = await this.#options.create(model);
      // Before any operation: a broker-side channel close is emitted as 'error' first.
      channel.on('error', () => {});
      await this.#options.setup(channel, model);
      return { model, channel };
    } catch (error) {
      await model.close().catch(() => {});
      throw error;
    }
  }

  #bind(current: { model: ChannelModel; channel: C }): void {
    this.#current = current;
    const { logger } = this.#options;
    current.model.on('close', (error?: Error) => {
      if (this.#current === current) this.#lost(error ?? new Error('connection closed'));
    });
    current.channel.on('close', () => {
      if (this.#current === current) this.#lost(new Error('channel closed'));
    });
    current.model.on('blocked', (reason: string) => logger.warn({ reason }, 'broker blocked the connection'));
    current.model.on('unblocked', () => logger.info('broker unblocked the connection'));
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(current.channel);
    this.#options.onChange?.({ up: true });
  }

  #lost(error: Error): void {
    const current = this.#current;
    this.#current = undefined;
    if (current) void current.model.close().catch(() => {});
    if (this.#held) return;
    this.#options.onChange?.({ up: false, error });
    this.#options.logger.warn({ err: error.message, broker: this.#options.name }, 'amqp connection lost, reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#held) return;
    this.#attempt++;
    const base = backoffDelay({ backoffMs: FIRST_DELAY_MS, maxDelayMs: MAX_DELAY_MS }, this.#attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#timer = setTimeout(() => void this.#reconnect(), delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#held) return;
    try {
      const current = await this.#open();
      if (this.#held) {
        await current.model.close().catch(() => {});
        return;
      }
      this.#options.logger.info({ broker: this.#options.name, attempts: this.#attempt }, 'amqp reconnected');
      this.#attempt = 0;
      this.#bind(current);
    } catch (error) {
      this.#options.onChange?.({ up: false, error: error as Error });
      this.#options.logger.warn(
        { err: (error as Error).message, broker: this.#options.name, attempt: this.#attempt },
        'amqp reconnect failed',
      );
      this.#schedule();
    }
  }
}
