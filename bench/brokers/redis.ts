/**
 * bench/brokers/redis: events per second from one Redis stream to another, through
 * (a) `spindle up` running examples/transform (the runtime's default instance mode) with
 * a `[[trigger.redis]]` stream trigger (consumer group) and a `redis://...?stream=` sink,
 * and (b) a plain ioredis program doing the same transform in JavaScript. Both read with
 * XREADGROUP COUNT 10, XADD the result and XACK only after Redis accepted the XADD; both
 * run as a child process of this one.
 *
 * N structured CloudEvents (the `event` field, JSON data) are XADDed to the input stream
 * first; the rate is measured from the first to the Nth entry on the output stream (so
 * start-up is not counted), by polling XLEN.
 *
 * Usage: node bench/brokers/redis.ts [--events 10000]   (REDIS_URL, else the local Redis;
 * BENCH_CONSUMERS, else 1; BENCH_WINDOWS: see window.ts)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { type BrokerBench, buildExample, spawnSpindle } from './example.ts';
import { MeasuredWindow } from './window.ts';

/** As the trigger's stream-consumer.ts BATCH. */
const COUNT = 10;
/** Consumers in the group, in each program (each reads COUNT at a time): BENCH_CONSUMERS, else 1. */
const CONSUMERS = Number(process.env.BENCH_CONSUMERS ?? 1);
const self = fileURLToPath(import.meta.url);
/** What bench/profile-summary.ts is told of each run (window.ts). */
const MEASURED = { broker: 'redis-streams', brokerProcess: { prefix: 'redis-server' } };
const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type RedisBench = BrokerBench<'redis-streams'>;

export async function benchRedis(options: { events: number }): Promise<RedisBench> {
  buildExample();
  const spindle = await run(options.events, 'spindle', (input, output) => {
    const triggers = Array.from({ length: CONSUMERS }, (_, i) => ({
      address: redisUrl(),
      stream: input,
      consumer: `bench-${i}`,
      component: 'transform',
      sink: `${redisUrl()}?stream=${output}`,
    }));
    return spawnSpindle('redis', { redis: triggers });
  });
  const plain = await run(options.events, 'plain', (input, output) =>
    spawn(process.execPath, [self, '--plain', input, output], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  return { broker: 'redis-streams', spindle: { eventsPerSecond: spindle }, plain: { eventsPerSecond: plain } };
}

/** Fill a fresh input stream, start the consumer, and time the output stream filling up. */
async function run(
  events: number,
  program: 'spindle' | 'plain',
  start: (input: string, output: string) => ChildProcess,
): Promise<number> {
  const redis = new Redis(redisUrl());
  const input = `spindle-bench-in-${randomUUID()}`;
  const output = `spindle-bench-out-${randomUUID()}`;
  let child: ChildProcess | undefined;
  try {
    for (let from = 0; from < events; from += 500) {
      const pipeline = redis.pipeline();
      for (let i = from; i < Math.min(events, from + 500); i++) {
        const event = {
          specversion: '1.0',
          id: `bench-${i}`,
          source: '/bench',
          type: 'io.triggermesh.bench',
          datacontenttype: 'application/json',
          data: { order: i, item: 'widget', quantity: 3 },
        };
        pipeline.xadd(input, '*', 'event', JSON.stringify(event));
      }
      await pipeline.exec();
    }
    child = start(input, output);
    const exited = once(child, 'exit');
    const measured = new MeasuredWindow({ ...MEASURED, program, pid: child.pid, events: events - 1 });
    let first: number | undefined;
    for (;;) {
      const length = await redis.xlen(output);
      const now = performance.now();
      if (length > 0) first ??= measured.open(now);
      if (length >= events && first !== undefined) {
        measured.close(now);
        return Math.round((events - 1) / ((now - first) / 1000));
      }
      if (child.exitCode !== null) throw new Error(`the consumer exited with ${child.exitCode} after ${length} events`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 20)), exited]);
    }
  } finally {
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await redis.del(input, output);
    redis.disconnect();
  }
}

/** (b): XREADGROUP, transform as examples/transform does, XADD, then XACK; CONSUMERS such loops. */
async function plain(input: string, output: string): Promise<void> {
  const group = 'bench-plain';
  const admin = new Redis(redisUrl());
  await admin.xgroup('CREATE', input, group, '0', 'MKSTREAM').catch(() => {});
  admin.disconnect();
  await Promise.all(Array.from({ length: CONSUMERS }, (_, i) => consume(input, output, group, `plain-${i}`)));
}

async function consume(input: string, output: string, group: string, consumer: string): Promise<void> {
  const reader = new Redis(redisUrl());
  const writer = new Redis(redisUrl());
  for (;;) {
    const reply = (await reader.call('XREADGROUP', [
      ...['GROUP', group, consumer, 'COUNT', String(COUNT), 'BLOCK', '1000', 'STREAMS', input, '>'],
    ])) as unknown[] | null;
    // RESP2 `[[stream, entries]]` or RESP3 (ioredis legacy mapping) `[stream, entries]`.
    const entries = (reply === null ? [] : Array.isArray(reply[0]) ? reply[0][1] : reply[1]) as [string, string[]][];
    for (const [id, fields] of entries) {
      const event = JSON.parse(fields[fields.indexOf('event') + 1] ?? '{}') as Record<string, unknown>;
      const data = event.data as Record<string, unknown>;
      data.hello = 'wasm';
      const out = { ...event, type: `${event.type}.transformed`, source: 'spin-app', data };
      await writer.xadd(output, '*', 'event', JSON.stringify(out));
      await writer.xack(input, group, id);
    }
  }
}

if (process.argv[1] === self) {
  const { values, positionals } = parseArgs({
    options: { events: { type: 'string', default: '10000' }, plain: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.plain) {
    process.once('SIGTERM', () => process.exit(0)); // an exit, so that a --cpu-prof profile is written
    await plain(positionals[0] ?? '', positionals[1] ?? '');
  } else {
    const result = await benchRedis({ events: Number(values.events) });
    const ratio = ((100 * result.spindle.eventsPerSecond) / result.plain.eventsPerSecond).toFixed(0);
    console.log(`${values.events} events, XREADGROUP COUNT ${COUNT}, ${CONSUMERS} consumer(s)`);
    console.log(`spindle (examples/transform): ${result.spindle.eventsPerSecond} events/s`);
    console.log(`plain ioredis (JS transform): ${result.plain.eventsPerSecond} events/s (spindle ${ratio}%)`);
  }
}
