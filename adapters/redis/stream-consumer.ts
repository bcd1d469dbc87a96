/**
 * One consumer of a Redis Streams consumer group: at-least-once delivery.
 *
 * - `XGROUP CREATE <stream> <group> 0 MKSTREAM` (BUSYGROUP ignored): a new group starts
 *   at the beginning of the stream, so entries added before spindle started are not lost.
 * - First this consumer's own pending entries (`XREADGROUP ... 0`): those it read before a
 *   restart or a lost connection and never acknowledged.
 * - Then new entries (`XREADGROUP ... BLOCK ... COUNT ... >`), a few at a time so that
 *   the consumers of a group share the work, processed in order.
 * - Every `claimIdleMs / 2`, `XAUTOCLAIM` takes over entries pending longer than
 *   `claimIdleMs`: those of a dead consumer, and this consumer's own failed ones, which
 *   are so tried again later. An entry is XACKed only when its handler says so: a failed
 *   one stays pending, never lost. The entries of one read go to the handler together
 *   (their emitted events reach the sink in one round trip) and are XACKed in one
 *   command, which overlaps the next read; drain() waits for it.
 * - A lost connection: ioredis reconnects with backoff; the loop starts over from the
 *   pending entries. `drain()` unblocks the read and finishes the entries in hand.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { backoffDelay, pause } from '../../src/adapter.ts';
import type { BatchHandler, RedisMessage } from './message.ts';
import type { TablesStatus } from './readiness.ts';
import { autoclaimReply, readReply, type StreamEntry } from './stream-reply.ts';

export interface StreamConsumerOptions {
  /** The consumer's own connection: its reads block. */
  reader: Redis;
  /** A connection for XACK and CLIENT UNBLOCK (never blocked). */
  commands: Redis;
  stream: string;
  group: string;
  consumer: string;
  claimIdleMs: number;
  /** Readiness of the tables this consumer feeds: consuming, or reconnecting after a failed read. */
  status?: TablesStatus;
  /** The entries of one read, in order; an entry is XACKed only on its `ack` verdict. */
  handle: BatchHandler;
  logger: Logger;
}

/** Entries per read: small, so that two processes in one group both get work. */
export const BATCH = 10;
const MAX_BLOCK_MS = 5_000;
/** Between tries after a failed read (a lost connection, say). */
const ERROR_BACKOFF = { backoffMs: 100, maxDelayMs: 5_000 };

export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  readonly #blockMs: number;
  readonly #claimEveryMs: number;
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** The events being handled now, settled: what a drain with Redis gone still waits for. */
  #handling: Promise<void> = Promise.resolve();
  /** CLIENT ID of the reader's current connection, to unblock it at drain. */
  #readerId: string | undefined;
  #blocked = false;
  readonly #stop = new AbortController();
  /** The XACK of the last batch, sent while the next one is read and processed. */
  #acking: Promise<void> = Promise.resolve();

  constructor(options: StreamConsumerOptions) {
    this.#o = options;
    this.#claimEveryMs = Math.max(50, Math.floor(options.claimIdleMs / 2));
    this.#blockMs = Math.min(MAX_BLOCK_MS, Math.max(100, this.#claimEveryMs));
    options.reader.on('ready', () => {
      this.#readerId = undefined;
    });
  }

  /** Create the group (a clear start-up error if Redis refuses), then consume in the background. */
  async start(): Promise<void> {
    await this.#ensureGroup();
    this.#loop = this.#run();
  }

  /** Stop reading, finish (and acknowledge) the entries in hand. */
  async drain(): Promise<void> {
    this.#stopping = true;
    this.#stop.abort();
    const { reader, commands } = this.#o;
    if (reader.status !== 'ready' || commands.status !== 'ready') {
      // Redis is out of reach. ioredis keeps the commands of a dropped connection for a
      // reconnect that may never come, even past disconnect(): waiting for the read loop or
      // an XACK could last forever. Only the events in hand are waited for; their entries
      // stay pending, for the next consumer to claim.
      reader.disconnect();
      commands.disconnect();
      await this.#handling;
      return;
    }
    if (this.#blocked) await this.#unblock();
    await this.#loop;
    await this.#acking;
  }

  async #run(): Promise<void> {
    const { logger } = this.#o;
    let recover = true;
    let failures = 0;
    let claimAt = Date.now() + this.#claimEveryMs;
    let claimCursor = '0-0';
    while (!this.#stopping) {
      try {
        if (recover) {
          // An XACK still in flight would have its entries read again as pending.
          await this.#acking;
          await this.#ensureGroup();
          await this.#readOwnPending();
          recover = false;
          this.#o.status?.ready('consuming');
        } else if (Date.now() >= claimAt) {
          claimCursor = await this.#claim(claimCursor);
          if (claimCursor === '0-0') claimAt = Date.now() + this.#claimEveryMs;
        } else {
          await this.#process(await this.#readNew());
        }
        failures = 0;
      } catch (error) {
        if (this.#stopping) break;
        failures++;
        recover = true;
        this.#o.status?.notReady('reconnecting', error);
        const delay = backoffDelay(ERROR_BACKOFF, failures);
        logger.warn({ stream: this.#o.stream, err: (error as Error).message, retryInMs: delay }, 'stream read failed');
        await pause(delay, this.#stop.signal);
      }
    }
  }

  async #ensureGroup(): Promise<void> {
    const { reader, stream, group } = this.#o;
    try {
      await reader.call('XGROUP', ['CREATE', stream, group, '0', 'MKSTREAM']);
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Entries delivered to this consumer and not acknowledged (`XREADGROUP ... 0`). */
  async #readOwnPending(): Promise<void> {
    let cursor = '0';
    while (!this.#stopping) {
      const entries = await this.#read(cursor, false);
      if (entries.length === 0) return;
      await this.#process(entries);
      cursor = entries[entries.length - 1]?.id ?? cursor;
    }
  }

  #readNew(): Promise<StreamEntry[]> {
    return this.#read('>', true);
  }

  async #read(from: string, block: boolean): Promise<StreamEntry[]> {
    const { reader, stream, group, consumer } = this.#o;
    if (block) this.#readerId ??= String(await reader.call('CLIENT', ['ID']));
    const args = ['GROUP', group, consumer, 'COUNT', String(BATCH)];
    if (block) args.push('BLOCK', String(this.#blockMs));
    args.push('STREAMS', stream, from);
    this.#blocked = block;
    try {
      // As bytes: a field value that is not UTF-8 must reach the codec exact.
      return readReply(await reader.callBuffer('XREADGROUP', args));
    } finally {
      this.#blocked = false;
    }
  }

  /** XAUTOCLAIM one page of entries idle longer than claimIdleMs; returns the next cursor. */
  async #claim(cursor: string): Promise<string> {
    const { reader, stream, group, consumer, claimIdleMs, logger } = this.#o;
    const reply = autoclaimReply(
      await reader.callBuffer('XAUTOCLAIM', [
        stream,
        group,
        consumer,
        String(claimIdleMs),
        cursor,
        'COUNT',
        String(BATCH),
      ]),
    );
    if (reply.entries.length > 0) {
      logger.info({ stream, entries: reply.entries.map((e) => e.id) }, 'claimed pending entries idle too long');
    }
    if (reply.deleted.length > 0) {
      logger.warn({ stream, entries: reply.deleted }, 'pending entries were deleted from the stream before processing');
    }
    await this.#process(reply.entries);
    return reply.cursor;
  }

  /**
   * Handle the entries in order, then XACK those their handler allows in one command. The
   * XACK is not awaited here: it overlaps the next read, and the next batch's XACK (or
   * drain, or a recovery) waits for it. An entry is acked only after its handler resolved,
   * that is after the sink accepted its events.
   */
  async #process(entries: StreamEntry[]): Promise<void> {
    const { stream } = this.#o;
    // Deleted (XDEL, trimming) while pending: nothing left to process, only to ack.
    const ids = entries.filter((e) => e.fields === null).map((e) => e.id);
    const live = entries.filter((e): e is StreamEntry & { fields: Buffer[] } => e.fields !== null);
    if (live.length > 0) {
      const messages = live.map((e): RedisMessage => ({ kind: 'stream', stream, id: e.id, fields: e.fields }));
      const handled = this.#o.handle(messages);
      this.#handling = handled.then(
        () => {},
        () => {},
      );
      const verdicts = await handled;
      live.forEach((e, i) => {
        if (verdicts[i] === 'ack') ids.push(e.id);
      });
    }
    await this.#acking;
    if (ids.length > 0) this.#acking = this.#ack(ids);
  }

  async #ack(ids: string[]): Promise<void> {
    const { commands, stream, group, logger } = this.#o;
    try {
      await commands.call('XACK', [stream, group, ...ids]);
    } catch (error) {
      // Still pending: they are delivered again (at least once).
      logger.warn(
        { stream, entries: ids, err: (error as Error).message },
        'XACK failed; the entries will be redelivered',
      );
    }
  }

  async #unblock(): Promise<void> {
    const id = this.#readerId;
    const unblocked = id === undefined ? 0 : await this.#o.commands.call('CLIENT', ['UNBLOCK', id]).catch(() => 0);
    // Not blocked on the connection we know (it was replaced by a reconnect): drop it.
    if (unblocked !== 1 && this.#blocked) this.#o.reader.disconnect();
  }
}
