/**
 * DESIGN's promise for a broker that goes away: "reconnected with backoff and consumption
 * resumes where it stopped". A Kafka cluster of its own (the run's shared mock must stay
 * up for everyone else) loses its only broker under a running `spindle up` and gets it
 * back on the same port: spindle stays up and healthy meanwhile, and every event
 * produced before, during and after the outage reaches the sink.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { beforeAll, expect, it, onTestFailed } from 'vitest';
import type { CloudEvent } from '../../src/event.ts';
import { HEALTH_ROUTE } from '../../src/host/server.ts';
import { describeWithBroker, uniqueName } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { buildFixture } from '../support/fixtures.ts';
import { type KafkaMock, startKafkaMock } from '../support/kafka-mock/start.ts';
import { expectNoProcessWarnings } from '../support/no-process-warnings.ts';
import { type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';
import { event } from './conformance/suite.ts';
import { createKafkaCase, type KafkaCase } from './kafka-harness.ts';

/** The mock's only broker. */
const BROKER = 1;

// Runs where the Kafka tests run. It needs the librdkafka mock even when the shared Kafka
// is a real one (only the mock stops a broker in place): startKafkaMock says so if missing.
describeWithBroker('kafka', 'kafka trigger when its broker goes away', () => {
  let wasm: string;
  const cleanups = cleanupAfterEach();

  beforeAll(async () => {
    wasm = await buildFixture('behaviours');
  });

  async function cluster(): Promise<{ mock: KafkaMock; broker: KafkaCase }> {
    const topics = { source: uniqueName('source'), sink: uniqueName('sink'), dead: uniqueName('dead') };
    const mock = await startKafkaMock({ topics: [`${topics.source}:2`, `${topics.sink}:1`, `${topics.dead}:1`] });
    cleanups.push(() => mock.close());
    // The test's producer outlasts the outage: a send made while the broker is down lands once it is back.
    const retry = { retries: 100, maxRetryTime: 1_000 };
    const broker = await createKafkaCase({ cluster: { brokers: mock.brokers, topics }, retry });
    cleanups.push(() => broker.close());
    return { mock, broker };
  }

  async function spindle(broker: KafkaCase): Promise<SpindleProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-kafka-reconnect-'));
    writeFileSync(
      join(dir, 'spindle.toml'),
      stringify({
        spin_manifest_version: 2,
        application: { name: 'kafka-reconnect' },
        trigger: { kafka: [{ ...broker.trigger.fields, component: 'behaviours', sink: broker.sink }] },
        component: { behaviours: { source: wasm } },
      }),
    );
    const running = await startSpindle(['-f', dir, '--log-format', 'json']);
    cleanups.push(() => running.stop('SIGKILL'));
    onTestFailed(() => console.error(`spindle printed:\n${running.output()}`));
    return running;
  }

  async function sinkIds(broker: KafkaCase): Promise<Set<string>> {
    return new Set((await broker.sinkEvents()).map((e) => e.id));
  }

  async function atSink(broker: KafkaCase, events: CloudEvent[]): Promise<boolean> {
    const ids = await sinkIds(broker);
    return events.every((e) => ids.has(e.id));
  }

  it('stays up through the outage, reconnects, and delivers every event from before, during and after', async () => {
    const { mock, broker } = await cluster();
    const running = await spindle(broker);
    const pid = running.child.pid;
    const health = new URL(HEALTH_ROUTE, running.url);

    const before = Array.from({ length: 10 }, (_, i) => event(`before-${i}`));
    await broker.publish(before);
    await waitFor(() => atSink(broker, before), {
      what: 'the events published before the outage at the sink',
    });

    await mock.setBrokerDown(BROKER);
    const logged = running.output().length;
    // A send the test's producer keeps retrying until the broker is back: produced "during".
    const during = Array.from({ length: 5 }, (_, i) => event(`during-${i}`));
    const producing = broker.publish(during);
    // The outage lasts until kafkajs has spent its own retries (about 10 s) and stopped the
    // consumer: past that point only a restart brings consumption back.
    await waitFor(() => /kafkajs: Crash:/.test(running.output().slice(logged)), {
      what: "spindle's kafka consumer to give up its retries against the missing broker",
      timeoutMs: 30_000,
    });
    // Meanwhile spindle is the same process, and answers its health route.
    expect(running.child.exitCode).toBeNull();
    expect((await fetch(health)).status).toBe(200);

    await mock.setBrokerUp(BROKER);
    const upAt = Date.now();
    await producing;
    const after = Array.from({ length: 10 }, (_, i) => event(`after-${i}`));
    await broker.publish(after);
    const all = [...before, ...during, ...after];
    await waitFor(() => atSink(broker, all), {
      what: 'every event at the sink after the broker came back',
      timeoutMs: 45_000,
    });
    console.info(`[kafka-reconnect] all events at the sink ${Date.now() - upAt} ms after the broker came back`);

    expect([...(await sinkIds(broker))]).toEqual(expect.arrayContaining(all.map((e) => e.id)));
    expect(running.child.exitCode).toBeNull();
    expect(running.child.pid).toBe(pid);
    expect((await fetch(health)).status).toBe(200);
    // The operator reads the end of the outage in the log, not only its errors.
    expect(running.output()).toMatch(/rejoined kafka group \S+ after \d+ ms/);
    expectNoProcessWarnings(running.output());
  }, 120_000);
});
