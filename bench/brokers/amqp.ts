/**
 * bench/brokers/amqp: events per second from one RabbitMQ queue to another, through
 * (a) `spindle up` running examples/transform (reused instance) with an [[trigger.amqp]]
 * and an amqp:// sink, and (b) a plain amqplib program doing the same transform in
 * JavaScript. Both consume with the same prefetch, publish with confirms, persistent,
 * and ack after the confirm; both run as a child process of this one.
 *
 * N binary-mode CloudEvents with JSON data are published to the input queue first; the
 * rate is measured from the first to the Nth message at the output queue (so start-up
 * is not counted), by polling the queue's depth.
 *
 * Usage: node bench/brokers/amqp.ts [--events 10000]   (AMQP_URL, else the local RabbitMQ;
 * BENCH_PREFETCH, else 16; BENCH_WINDOWS: see window.ts)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Channel, type ConsumeMessage, connect } from 'amqplib';
import { type BrokerBench, buildExample, spawnSpindle } from './example.ts';
import { MeasuredWindow } from './window.ts';

const PREFETCH = Number(process.env.BENCH_PREFETCH ?? 16);
const self = fileURLToPath(import.meta.url);
/** What bench/profile-summary.ts is told of each run (window.ts). */
const MEASURED = { broker: 'amqp', brokerProcess: { prefix: 'beam.smp' } };
const amqpUrl = () => process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export type AmqpBench = BrokerBench<'amqp'>;

export async function benchAmqp(options: { events: number }): Promise<AmqpBench> {
  buildExample();
  const spindle = await run(options.events, 'spindle', (input, output) => {
    const sink = new URL(amqpUrl());
    sink.searchParams.set('routing_key', output);
    return spawnSpindle('amqp', {
      amqp: [{ url: amqpUrl(), queue: input, prefetch: PREFETCH, component: 'transform', sink: sink.href }],
    });
  });
  const plain = await run(options.events, 'plain', (input, output) =>
    spawn(process.execPath, [self, '--plain', input, output], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  return { broker: 'amqp', spindle: { eventsPerSecond: spindle }, plain: { eventsPerSecond: plain } };
}

/** Fill a fresh input queue, start the consumer, and time the output queue filling up. */
async function run(
  events: number,
  program: 'spindle' | 'plain',
  start: (input: string, output: string) => ChildProcess,
): Promise<number> {
  const model = await connect(amqpUrl());
  const channel = await model.createConfirmChannel();
  const input = `spindle-bench-in-${randomUUID()}`;
  const output = `spindle-bench-out-${randomUUID()}`;
  let child: ChildProcess | undefined;
  try {
    await channel.assertQueue(input, { durable: true });
    await channel.assertQueue(output, { durable: true });
    for (let i = 0; i < events; i++) {
      const data = Buffer.from(JSON.stringify({ order: i, item: 'widget', quantity: 3 }));
      channel.sendToQueue(input, data, {
        persistent: true,
        contentType: 'application/json',
        messageId: `bench-${i}`,
        headers: { specversion: '1.0', id: `bench-${i}`, source: '/bench', type: 'io.triggermesh.bench' },
      });
      if (i % 500 === 499) await channel.waitForConfirms();
    }
    await channel.waitForConfirms();
    child = start(input, output);
    const exited = once(child, 'exit');
    const measured = new MeasuredWindow({ ...MEASURED, program, pid: child.pid, events: events - 1 });
    let first: number | undefined;
    for (;;) {
      const depth = (await channel.checkQueue(output)).messageCount;
      const now = performance.now();
      if (depth > 0) first ??= measured.open(now);
      if (depth >= events && first !== undefined) {
        measured.close(now);
        return Math.round((events - 1) / ((now - first) / 1000));
      }
      if (child.exitCode !== null) throw new Error(`the consumer exited with ${child.exitCode} after ${depth} events`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 20)), exited]);
    }
  } finally {
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await channel.deleteQueue(input).catch(() => {});
    await channel.deleteQueue(output).catch(() => {});
    await model.close();
  }
}

/** (b): consume, transform as examples/transform does, publish with confirms, ack. */
async function plain(input: string, output: string): Promise<void> {
  const model = await connect(amqpUrl());
  const consumer: Channel = await model.createChannel();
  const publisher = await (await connect(amqpUrl())).createConfirmChannel();
  await consumer.prefetch(PREFETCH);
  await consumer.consume(input, (message: ConsumeMessage | null) => {
    if (message === null) return;
    const data = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
    data.hello = 'wasm';
    const headers = message.properties.headers ?? {};
    const out = { ...headers, type: `${headers.type}.transformed`, source: 'spin-app' };
    publisher.sendToQueue(
      output,
      Buffer.from(JSON.stringify(data)),
      { persistent: true, contentType: 'application/json', messageId: message.properties.messageId, headers: out },
      (error: unknown) => {
        if (error) consumer.nack(message, false, true);
        else consumer.ack(message);
      },
    );
  });
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
    const result = await benchAmqp({ events: Number(values.events) });
    const ratio = ((100 * result.spindle.eventsPerSecond) / result.plain.eventsPerSecond).toFixed(0);
    console.log(`${values.events} events, prefetch ${PREFETCH}`);
    console.log(`spindle (examples/transform): ${result.spindle.eventsPerSecond} events/s`);
    console.log(`plain amqplib (JS transform): ${result.plain.eventsPerSecond} events/s (spindle ${ratio}%)`);
  }
}
