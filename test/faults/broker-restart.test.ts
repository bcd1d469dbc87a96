/**
 * Each broker going away mid-stream and coming back under a running spindle: a Redis of
 * the test's own restarted, the Kafka mock's only broker down and up, RabbitMQ closing
 * spindle's connections. spindle stays the same process, reconnects, and loses nothing.
 */
import { expect, it } from 'vitest';
import { event } from '../integration/conformance/suite.ts';
import { describeWithBroker, uniqueName } from '../support/brokers.ts';
import { startKafkaMock } from '../support/kafka-mock/start.ts';
import { closeAmqpConnections, noticed, startOwnRedis } from './support/broker-outage.ts';
import { EVENTS, type FaultApp, faultApp } from './support/fault-app.ts';
import { faultFile } from './support/fault-file.ts';
import { amqpSource, type FaultSource, kafkaSource, redisSource } from './support/sources.ts';

const { table, cleanups, behaviours } = faultFile('a broker restarted mid-stream');

/** Publish, let a tenth arrive, break the broker (`outage` returns once it is back), and count. */
async function brokerOutage(
  name: string,
  source: FaultSource,
  outage: (app: FaultApp) => Promise<void>,
): Promise<void> {
  const app = await faultApp({ source, wasm: behaviours() }, cleanups);
  const spindle = await app.start();
  const sent = Array.from({ length: EVENTS }, (_, i) => event(`outage-${i}`));
  await source.publish(sent);
  await app.settle(EVENTS / 10);
  const delivered = new Set(app.sink.events.map((e) => e.id)).size;
  await outage(app);
  await app.settle(EVENTS);
  expect(app.spindle).toBe(spindle);
  table.record(name, { ...(await app.tally(sent)), note: `outage after ${delivered} delivered` });
  // A broker's outage is retried, never a reason to dead-letter.
  expect(app.dead.events).toEqual([]);
}

describeWithBroker('redis', 'Redis restarted', () => {
  it('loses nothing', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.stop());
    await brokerOutage('broker restart: redis streams', await redisSource(redis.url), async (app) => {
      const mark = app.spindle.output().length;
      await redis.restart(() => noticed(app.spindle, mark, 'Redis going away'));
    });
  }, 120_000);
});

describeWithBroker('kafka', 'Kafka broker down and up', () => {
  it('loses nothing', async () => {
    // A cluster of its own: the run's shared mock must stay up for everyone else.
    const topics = { source: uniqueName('source'), sink: uniqueName('sink'), dead: uniqueName('dead') };
    const mock = await startKafkaMock({ topics: [`${topics.source}:1`, `${topics.sink}:1`, `${topics.dead}:1`] });
    cleanups.push(() => mock.close());
    await brokerOutage('broker restart: kafka', await kafkaSource({ brokers: mock.brokers, topics }), async (app) => {
      const mark = app.spindle.output().length;
      await mock.setBrokerDown(1);
      await noticed(app.spindle, mark, 'the Kafka broker going away');
      await mock.setBrokerUp(1);
    });
  }, 120_000);
});

describeWithBroker('amqp', 'RabbitMQ closing the connections', () => {
  it('loses nothing', async () => {
    const source = await amqpSource();
    await brokerOutage('broker restart: rabbitmq (connections closed)', source, async (app) => {
      const mark = app.spindle.output().length;
      expect(await closeAmqpConnections(source.queue)).toBeGreaterThan(0);
      await noticed(app.spindle, mark, 'RabbitMQ closing its connection');
    });
  }, 120_000);
});
