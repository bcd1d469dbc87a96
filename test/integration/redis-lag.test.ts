/**
 * A Redis Streams trigger reports its consumer group's lag (entries not yet delivered
 * plus delivered and not acknowledged) as `spindle_consumer_lag`, read from XINFO GROUPS
 * at each scrape: the figure a KEDA scaler or a dashboard watches.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { encodeEntry } from '../../adapters/redis/codec.ts';
import { defineApp, type RunningApp, startApp } from '../../src/index.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { sampleValue, scrape } from '../support/prometheus-text.ts';
import { waitFor } from '../support/wait.ts';

describeWithBroker('redis', 'consumer lag of a Redis Streams trigger', () => {
  let wasm: string;
  let redis: Redis;
  let sink: EventReceiver;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    wasm = await buildFixture('behaviours');
    redis = new Redis(redisUrl());
    sink = await startReceiver();
  }, 120_000);
  afterEach(async () => {
    await app?.stop();
  });
  afterAll(async () => {
    redis.disconnect();
    await sink.close();
  });

  it('is the entries the group holds unacknowledged, and falls to 0 once they are', async () => {
    const stream = uniqueName('spindle-lag');
    app = await startApp(
      defineApp({
        name: 'lag',
        components: { echo: { source: wasm } },
        triggers: [{ type: 'redis', component: 'echo', address: redisUrl(), stream, group: 'g', sink: sink.url }],
      }),
      { listen: { host: '127.0.0.1', port: 0 } },
    );
    const metricsUrl = app.metricsUrl as URL;
    const lag = async () =>
      sampleValue(await scrape(metricsUrl), 'spindle_consumer_lag', { trigger: 'triggers[0]', destination: stream });

    expect(await lag()).toBe(0);
    const release = sink.hold(); // the sink holds the events: nothing can be acknowledged
    for (let i = 0; i < 5; i++) {
      const fields = encodeEntry({
        id: `lag-${i}`,
        source: '/lag',
        type: 'test.echo',
        specversion: '1.0',
        extensions: {},
      });
      await redis.xadd(stream, '*', ...fields);
    }
    await waitFor(async () => (await lag()) === 5, { what: 'a lag of 5 while the sink holds the events' });
    release();
    await waitFor(async () => (await lag()) === 0, { what: 'a lag of 0 once the events were acknowledged' });
    expect(sink.events.map((e) => e.id)).toEqual(['lag-0', 'lag-1', 'lag-2', 'lag-3', 'lag-4']);
    // The embedding API reads the same registry.
    expect(await app.metrics?.metrics()).toContain(
      `spindle_consumer_lag{trigger="triggers[0]",destination="${stream}"} 0`,
    );
  });
});
