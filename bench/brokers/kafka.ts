/**
 * bench/brokers/kafka: events per second from one Kafka topic (4 partitions) to another,
 * through (a) `spindle up` running examples/transform (the runtime's default instance
 * mode) with a `[[trigger.kafka]]` trigger and a `kafka://` sink, and (b) a plain kafkajs
 * program doing the same transform in JavaScript. Both consume with eachBatch, handle 4
 * partitions at once, produce each result with acks=all and wait for it, and only then
 * resolve the offset (kafkajs commits resolved offsets every second, every 100 records
 * and at the end of each batch). Both run as a child process of this one.
 *
 * N binary-mode CloudEvents (ce_ headers, JSON data) are produced first; two rates are
 * measured by polling the output topic's high watermarks: from the child's start (so
 * start-up and the group join count) and from the first output record to the Nth.
 *
 * Usage: node bench/brokers/kafka.ts [--events 10000]
 *        (KAFKA_BROKERS=host:port,..., else librdkafka's mock cluster, as the tests use;
 *        partitions per topic BENCH_PARTITIONS (the mock's), else 4; partitions at once
 *        BENCH_CONCURRENCY, else 4; BENCH_WINDOWS: see window.ts)
 */
// As spindle does: no TimeoutNegativeWarning from kafkajs's request queue on Node 24.
import '../../adapters/kafka/quiet-request-queue.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type IHeaders, Kafka, logLevel, Partitioners } from 'kafkajs';
import { startKafkaMock } from '../../test/support/kafka-mock/start.ts';
import { type BrokerBench, buildExample, spawnSpindle } from './example.ts';
import { MeasuredWindow } from './window.ts';

/** Of the mock's topics: BENCH_PARTITIONS, else 4 (as it creates them when asked for an unknown one). */
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
/** Partitions handled at once by both programs: BENCH_CONCURRENCY, else 4. */
const PARTITIONS_AT_ONCE = Number(process.env.BENCH_CONCURRENCY ?? 4);
const self = fileURLToPath(import.meta.url);
/** What bench/profile-summary.ts is told of each run (window.ts). */
const MEASURED = {
  broker: 'kafka',
  // The mock this process started, not other tests' mocks.
  brokerProcess: { prefix: 'mock-cluster', parent: process.pid },
};

export interface Rate {
  /** From the first output record to the Nth. */
  eventsPerSecond: number;
  /** From the consumer's start (process start-up and group join included) to the Nth. */
  fromStartEventsPerSecond: number;
}

export type KafkaBench = BrokerBench<'kafka', Rate>;

export async function benchKafka(options: { events: number }): Promise<KafkaBench> {
  buildExample();
  const [forSpindle, forPlain] = [topicPair(), topicPair()] as const;
  const topics = [forSpindle, forPlain].flatMap(({ input, output }) => [input, output]);
  const mock = process.env.KAFKA_BROKERS
    ? undefined
    : await startKafkaMock({ topics: topics.map((topic) => `${topic}:${PARTITIONS}`) });
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? mock?.brokers ?? [];
  try {
    const spindle = await run(brokers, options.events, 'spindle', forSpindle, (input, output, group) => {
      const trigger = {
        topic: input,
        group,
        concurrency: PARTITIONS_AT_ONCE,
        component: 'transform',
        sink: `kafka://${brokers[0]}/${output}`,
      };
      return spawnSpindle('kafka', { kafka: [trigger] }, { trigger: { kafka: { brokers } } });
    });
    const plain = await run(brokers, options.events, 'plain', forPlain, (input, output, group) =>
      spawn(process.execPath, [self, '--plain', brokers.join(','), input, output, group], {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    return { broker: 'kafka', spindle, plain };
  } finally {
    await mock?.close();
  }
}

function topicPair(): { input: string; output: string } {
  return { input: `spindle-bench-in-${randomUUID()}`, output: `spindle-bench-out-${randomUUID()}` };
}

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'spindle-bench', brokers, logLevel: logLevel.NOTHING });
}

/** Fill a fresh input topic, start the consumer, and time the output topic filling up. */
async function run(
  brokers: string[],
  events: number,
  program: 'spindle' | 'plain',
  { input, output }: { input: string; output: string },
  start: (input: string, output: string, group: string) => ChildProcess,
): Promise<Rate> {
  const kafka = client(brokers);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  let child: ChildProcess | undefined;
  try {
    for (let from = 0; from < events; from += 500) {
      const messages = [];
      for (let i = from; i < Math.min(events, from + 500); i++) {
        const headers: IHeaders = {
          ce_specversion: '1.0',
          ce_id: `bench-${i}`,
          ce_source: '/bench',
          ce_type: 'io.triggermesh.bench',
          'content-type': 'application/json',
        };
        messages.push({ headers, value: JSON.stringify({ order: i, item: 'widget', quantity: 3 }) });
      }
      await producer.send({ topic: input, messages, acks: -1 });
    }
    // The output topic exists before the clock starts, so that polling it costs nothing.
    await producer.send({ topic: output, messages: [] }).catch(() => {});
    await admin.fetchTopicMetadata({ topics: [output] }).catch(() => {});
    const started = performance.now();
    child = start(input, output, `bench-${randomUUID()}`);
    const exited = once(child, 'exit');
    const measured = new MeasuredWindow({ ...MEASURED, program, pid: child.pid, events: events - 1 });
    let first: number | undefined;
    for (;;) {
      const count = await outputCount(admin, output);
      const now = performance.now();
      if (count > 0) first ??= measured.open(now);
      if (count >= events && first !== undefined) {
        measured.close(now);
        return {
          eventsPerSecond: Math.round((events - 1) / ((now - first) / 1000)),
          fromStartEventsPerSecond: Math.round(events / ((now - started) / 1000)),
        };
      }
      if (child.exitCode !== null) throw new Error(`the consumer exited with ${child.exitCode} after ${count} events`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 20)), exited]);
    }
  } finally {
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
}

async function outputCount(admin: ReturnType<Kafka['admin']>, topic: string): Promise<number> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } catch {
    return 0; // not created yet
  }
}

/** (b): consume, transform as examples/transform does, produce with acks=all, then resolve. */
async function plain(brokers: string[], input: string, output: string, group: string): Promise<void> {
  const kafka = client(brokers);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 1_000 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1_000,
    autoCommitThreshold: 100,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) return;
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
        );
        const data = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
        data.hello = 'wasm';
        const out = {
          ...headers,
          ce_type: `${headers.ce_type}.transformed`,
          ce_source: 'spin-app',
          'content-type': 'application/json',
        };
        await producer.send({ topic: output, acks: -1, messages: [{ headers: out, value: JSON.stringify(data) }] });
        resolveOffset(message.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await consumer.disconnect();
  await producer.disconnect();
}

if (process.argv[1] === self) {
  const { values, positionals } = parseArgs({
    options: { events: { type: 'string', default: '10000' }, plain: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.plain) {
    const [brokers = '', input = '', output = '', group = ''] = positionals;
    await plain(brokers.split(','), input, output, group);
  } else {
    const result = await benchKafka({ events: Number(values.events) });
    const ratio = ((100 * result.spindle.eventsPerSecond) / result.plain.eventsPerSecond).toFixed(0);
    console.log(`${values.events} events, ${PARTITIONS} partitions, ${PARTITIONS_AT_ONCE} at once, acks=all per event`);
    console.log(
      `spindle (examples/transform): ${result.spindle.eventsPerSecond} events/s ` +
        `(${result.spindle.fromStartEventsPerSecond} from start)`,
    );
    console.log(
      `plain kafkajs (JS transform): ${result.plain.eventsPerSecond} events/s ` +
        `(${result.plain.fromStartEventsPerSecond} from start; spindle ${ratio}%)`,
    );
  }
}
