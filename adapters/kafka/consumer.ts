/**
 * One `[[trigger.kafka]]` table at work: a kafkajs consumer in its group, delivering at
 * least once.
 *
 * - A partition's records are handled one after another (order is kept), up to CHUNK at
 *   a time through `dispatchAll` so that their emitted events go out in one produce
 *   request; partitions run in parallel, `concurrency` at a time.
 * - An offset is resolved, and so may be committed, only once the record's outcome allows
 *   it (everything but `failed`). kafkajs commits resolved offsets only: at the end of
 *   each batch, every second, every 100 records, and when the consumer stops.
 * - `failed`: the record is not resolved, so the next fetch of its partition starts at it
 *   again. The partition is paused for a backoff and then resumed, for as long as it takes,
 *   with a warning each time. Nothing after it in that partition is skipped past it;
 *   other partitions go on.
 * - start() resolves once the consumer has joined its group and fetched once (so its
 *   starting offsets are fixed): "Serving" means consuming.
 * - A crash kafkajs does not restart itself (non-retriable) is restarted here, from the
 *   committed offsets.
 * - Scale-out: processes in one group share the partitions. The member heartbeats while
 *   a chunk is being delivered, so that a slow component or sink does not cost it its
 *   place; every member gets an assignment, even an empty one (assigner.ts).
 * - Readiness (ctx.status): connecting, joining group (at every rebalance), consuming,
 *   reconnecting after a crash.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import {
  backoffDelay,
  type Decoded,
  type Outcome,
  pause,
  type Route,
  SpindleError,
  type TriggerContext,
} from '../../src/adapter.ts';
import { roundRobinEveryMember } from './assigner.ts';
import { decode } from './codec.ts';
import type { KafkaTriggerConfig } from './config.ts';
import { createKafka } from './connection.ts';
import { GroupLag } from './group-lag.ts';

/** Long-poll of one fetch: also how late a resumed partition or a stop is noticed. */
const MAX_WAIT_MS = 1_000;
const COMMIT_INTERVAL_MS = 1_000;
const COMMIT_THRESHOLD = 100;
/** Before restarting a consumer that crashed for good. */
const RESTART_DELAY_MS = 2_000;
/**
 * Records of a partition handled as one run: their emitted events go to the sink in one
 * request. Small, so that a record waits for few others' component calls.
 */
const CHUNK = 10;
/** Tries to join the group before start() gives up, and the waits between them. */
const START_ATTEMPTS = 5;
const START_BACKOFF = { backoffMs: 500, maxDelayMs: 4_000 };

export class KafkaTriggerConsumer {
  readonly config: KafkaTriggerConfig;
  readonly #ctx: TriggerContext;
  readonly #route: Route;
  readonly #logger: Logger;
  readonly #consumer: Consumer;
  readonly #lag: GroupLag;
  /** Consecutive `failed` outcomes per partition, for the backoff. */
  readonly #failures = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #heartbeatMs: number;
  #stopping = false;
  #restarting = false;

  constructor(ctx: TriggerContext, config: KafkaTriggerConfig, route: Route) {
    this.config = config;
    this.#ctx = ctx;
    this.#route = route;
    this.#logger = ctx.logger.child({ group: config.group });
    const session = config.sessionTimeoutMs;
    this.#heartbeatMs = Math.min(3_000, Math.floor(session / 3));
    const kafka = createKafka(config.connection, this.#logger);
    this.#lag = new GroupLag(kafka, config.group);
    this.#consumer = kafka.consumer({
      groupId: config.group,
      sessionTimeout: session,
      heartbeatInterval: this.#heartbeatMs,
      maxWaitTimeInMs: MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      partitionAssigners: [roundRobinEveryMember],
    });
  }

  /** Resolves once the consumer is in its group and consuming. */
  async start(): Promise<void> {
    const { topics, fromBeginning } = this.config;
    this.#reportStatus();
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics, fromBeginning });
    for (const topic of topics) this.#ctx.reportLag(this.config.table, topic, () => this.#lag.of(topic));
    // Joining can fail in ways kafkajs will not retry (an INVALID_REQUEST from a broker
    // mid-rebalance, as librdkafka's mock answers): try a few times before giving up.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#run();
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS || this.#stopping) throw error;
        this.#logger.warn({ err: (error as Error).message, attempt }, 'joining the kafka group failed; trying again');
        await pause(backoffDelay(START_BACKOFF, attempt), this.#ctx.signal);
        await this.#consumer.connect();
      }
    }
    // After a crash (a broker gone, say) the consumer rejoins on its own: say when, so
    // that an operator reading the errors of the outage also reads its end.
    let crashedAt: number | undefined;
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
      if (crashedAt === undefined) return;
      this.#logger.info(`rejoined kafka group ${this.config.group} after ${Date.now() - crashedAt} ms`);
      crashedAt = undefined;
    });
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      crashedAt ??= Date.now();
      if (payload.restart || this.#stopping || this.#restarting) return;
      this.#logger.error(
        { err: payload.error.message },
        `kafka consumer crashed; restarting in ${RESTART_DELAY_MS} ms`,
      );
      this.#later(RESTART_DELAY_MS, () => void this.#restart());
    });
  }

  /**
   * Readiness from kafkajs's events: connecting, joining the group (at start and at every
   * rebalance), consuming once joined, reconnecting after a crash with its error.
   */
  #reportStatus(): void {
    const { status } = this.#ctx;
    const { table } = this.config;
    const { events } = this.#consumer;
    status.notReady(table, 'connecting');
    this.#consumer.on(events.CONNECT, () => status.notReady(table, 'joining group'));
    this.#consumer.on(events.REBALANCING, () => status.notReady(table, 'joining group'));
    this.#consumer.on(events.GROUP_JOIN, () => status.ready(table, 'consuming'));
    this.#consumer.on(events.CRASH, ({ payload }) => status.notReady(table, 'reconnecting', payload.error));
  }

  /** Stop fetching, finish the records in hand and commit them, leave the group. */
  async drain(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#consumer.stop();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#consumer.disconnect(), this.#lag.close()]);
  }

  describe(): string {
    const { topics, group, component } = this.config;
    const what = topics.length === 1 ? `topic ${topics[0]}` : `topics ${topics.join(', ')}`;
    return `kafka ${what} (group ${group}) -> ${component}`;
  }

  async #run(): Promise<void> {
    const { events } = this.#consumer;
    const ready = new Promise<void>((resolve, reject) => {
      const off = [
        this.#consumer.on(events.GROUP_JOIN, ({ payload }) => {
          this.#logger.info(
            { memberId: payload.memberId, assignment: payload.memberAssignment },
            `joined kafka group ${this.config.group}`,
          );
          // The first fetch after joining fixes the starting offsets (`from_beginning`).
          const offFetch = this.#consumer.on(events.FETCH, () => {
            offFetch();
            done();
          });
          off.push(offFetch);
        }),
        this.#consumer.on(events.CRASH, ({ payload }) => {
          if (!payload.restart) done(payload.error);
        }),
      ];
      const done = (error?: Error) => {
        for (const remove of off) remove();
        if (error) reject(error);
        else resolve();
      };
    });
    await this.#consumer.run({
      autoCommit: true,
      autoCommitInterval: COMMIT_INTERVAL_MS,
      autoCommitThreshold: COMMIT_THRESHOLD,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.concurrency,
      eachBatch: (payload) => this.#batch(payload),
    });
    await ready;
  }

  async #restart(): Promise<void> {
    if (this.#stopping) return;
    this.#restarting = true;
    try {
      await this.#consumer.connect();
      await this.#run();
      this.#logger.info('kafka consumer restarted from the committed offsets');
    } catch (error) {
      this.#logger.error(
        { err: (error as Error).message },
        `kafka consumer restart failed; again in ${RESTART_DELAY_MS} ms`,
      );
      this.#later(RESTART_DELAY_MS, () => void this.#restart());
    } finally {
      this.#restarting = false;
    }
  }

  async #batch({
    batch,
    resolveOffset,
    heartbeat,
    pause,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    for (let from = 0; from < batch.messages.length; from += CHUNK) {
      // Stopping, or the partition was taken away: leave the rest for the next reader.
      if (!isRunning() || isStale()) return;
      const messages = batch.messages.slice(from, from + CHUNK);
      const outcomes = await this.#keepingAlive(heartbeat, () => this.#deliver(topic, partition, messages));
      for (const [i, message] of messages.entries()) {
        const outcome = outcomes[i];
        if (outcome === undefined || outcome.kind === 'failed') {
          const error = outcome?.error ?? new SpindleError('no outcome', { retriable: true });
          this.#holdBack(topic, partition, message.offset, error, pause);
          return;
        }
        this.#failures.delete(`${topic}/${partition}`);
        resolveOffset(message.offset);
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /**
   * Heartbeat while `work` runs: a slow component or sink (retries with backoff) must not
   * cost this member its place in the group and set off a rebalance. A heartbeat that
   * learns of a rebalance is ignored here; the one after the chunk rejoins.
   */
  async #keepingAlive<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void heartbeat().catch(() => {}), this.#heartbeatMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Records of one partition, in order, through the core's decode-then-dispatch path:
   * their emitted events reach the sink in one produce request, and nothing after a
   * record that failed is tried.
   */
  async #deliver(topic: string, partition: number, messages: KafkaMessage[]): Promise<Outcome[]> {
    const options = this.config.messageType === undefined ? {} : { type: this.config.messageType };
    let decoded: Decoded[];
    try {
      decoded = messages.map((message) =>
        decode(
          {
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
            timestamp: message.timestamp,
          },
          options,
        ),
      );
    } catch (cause) {
      // The codec reports bad records as results; a throw is a bug, but never a skip.
      const reason = cause instanceof Error ? cause.message : String(cause);
      return [{ kind: 'failed', error: new SpindleError(`unexpected: ${reason}`, { cause, retriable: true }) }];
    }
    return this.#ctx.dispatchDecoded(this.#route, decoded, { untilFailed: true });
  }

  /** Leave the record in Kafka and read it again after a backoff, its partition paused meanwhile. */
  #holdBack(topic: string, partition: number, offset: string, error: SpindleError, pause: () => () => void): void {
    if (this.#stopping || this.#ctx.signal.aborted) return; // uncommitted: read again after a restart
    const key = `${topic}/${partition}`;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = backoffDelay(this.#route.retry, failures);
    this.#logger.warn(
      { topic, partition, offset, failures, err: error.message },
      `record ${topic}/${partition}@${offset} not processed; it stays in Kafka and is tried again in ${delay} ms`,
    );
    const resume = pause();
    this.#later(delay, resume);
  }

  #later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      work();
    }, ms);
    this.#timers.add(timer);
  }
}
