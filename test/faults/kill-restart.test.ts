/**
 * spindle killed with SIGKILL mid-stream and started again, on each broker trigger: what
 * it had not acknowledged is delivered again (at least once, so duplicates are counted),
 * and nothing is lost.
 */
import { expect, it } from 'vitest';
import { event } from '../integration/conformance/suite.ts';
import { describeWithBroker } from '../support/brokers.ts';
import { EVENTS, faultApp } from './support/fault-app.ts';
import { faultFile } from './support/fault-file.ts';
import { amqpSource, type FaultSource, kafkaSource, redisSource } from './support/sources.ts';

const { table, cleanups, behaviours } = faultFile('spindle killed -9 mid-stream and restarted');

async function killMidStream(name: string, source: FaultSource): Promise<void> {
  const app = await faultApp({ source, wasm: behaviours() }, cleanups);
  const first = await app.start();
  const sent = Array.from({ length: EVENTS }, (_, i) => event(`kill-${i}`));
  await source.publish(sent);
  await app.settle(EVENTS / 10);
  await first.stop('SIGKILL');
  const delivered = new Set(app.sink.events.map((e) => e.id)).size;
  await app.start();
  await app.settle(EVENTS);
  table.record(name, {
    ...(await app.tally(sent)),
    note: `killed after ${delivered} delivered`,
  });
  expect(app.dead.events).toEqual([]);
}

describeWithBroker('redis', 'kill -9 on Redis Streams', () => {
  it('loses nothing', async () => killMidStream('kill -9 + restart: redis streams', await redisSource()), 120_000);
});
describeWithBroker('kafka', 'kill -9 on Kafka', () => {
  it('loses nothing', async () => killMidStream('kill -9 + restart: kafka', await kafkaSource()), 120_000);
});
describeWithBroker('amqp', 'kill -9 on RabbitMQ', () => {
  it('loses nothing', async () => killMidStream('kill -9 + restart: rabbitmq', await amqpSource()), 120_000);
});
