/**
 * The sink failing under a running spindle (Redis Streams trigger): down, then up on the
 * same port, with retries enough to outlast it (every event delivered); and answering
 * 4xx, which is not worth retrying (each such event dead-lettered with the status); and
 * the dead-letter sink down (what it should take stays in the stream until it is back).
 */
import { expect, it } from 'vitest';
import { event } from '../integration/conformance/suite.ts';
import { describeWithBroker } from '../support/brokers.ts';
import { waitFor } from '../support/wait.ts';
import { noticed } from './support/broker-outage.ts';
import { EVENTS, faultApp } from './support/fault-app.ts';
import { faultFile } from './support/fault-file.ts';
import { redisSource } from './support/sources.ts';

const { table, cleanups, behaviours } = faultFile('the sink failing');

describeWithBroker('redis', 'a sink that fails', () => {
  it('down, then up: every event delivered once it is back', async () => {
    const source = await redisSource();
    const retry = { attempts: 100, backoff_ms: 50, max_delay_ms: 500 };
    const app = await faultApp({ source, wasm: behaviours(), trigger: { retry } }, cleanups);
    await app.start();
    const sent = Array.from({ length: EVENTS }, (_, i) => event(`sink-down-${i}`));
    await source.publish(sent);
    await app.settle(EVENTS / 10);
    const mark = app.spindle.output().length;
    await app.restart('sink', () => noticed(app.spindle, mark, 'the sink refusing connections'));
    await app.settle(EVENTS);
    table.record('sink down, then up', await app.tally(sent));
    expect(app.dead.events).toEqual([]);
  }, 120_000);

  it('answering 422: those events dead-lettered with the status, the rest delivered', async () => {
    const source = await redisSource();
    const app = await faultApp({ source, wasm: behaviours() }, cleanups);
    await app.start();
    const refused = 20;
    app.sink.failNext(refused, 422);
    const sent = Array.from({ length: EVENTS }, (_, i) => event(`sink-4xx-${i}`));
    await source.publish(sent);
    await app.settle(EVENTS);
    const row = table.record('sink answering 422', await app.tally(sent));
    // A refused event may be refused twice (in a batch, then alone), so fewer than 20 are
    // dead-lettered; each with its own refusal, never another event's.
    expect(row.deadLettered).toBeGreaterThan(0);
    expect(row.deadLettered).toBeLessThanOrEqual(refused);
    for (const letter of app.dead.events) {
      expect(letter.extensions).toMatchObject({ deadletterkind: 'sink', deadletterattempts: '1' });
      expect(letter.extensions.deadletterreason).toContain(`answered 422 Unprocessable Entity to event ${letter.id}`);
    }
  }, 120_000);

  it('the dead-letter sink down: invalid events stay pending, and are dead-lettered once it is back', async () => {
    const source = await redisSource();
    const app = await faultApp({ source, wasm: behaviours() }, cleanups);
    const sent = Array.from({ length: EVENTS }, (_, i) =>
      i % 30 === 15 ? event(`dlq-down-invalid-${i}`, 'test.invalid') : event(`dlq-down-${i}`),
    );
    const invalid = sent.filter((e) => e.type === 'test.invalid').length;
    await app.restart('dead', async () => {
      await app.start();
      await source.publish(sent);
      await waitFor(() => /dead-letter sink failed/.test(app.spindle.output()), {
        what: 'spindle to log that the dead-letter sink failed',
      });
    });
    await app.settle(EVENTS);
    const row = table.record('dead-letter sink down, then up', await app.tally(sent));
    expect(row.deadLettered).toBe(invalid);
    for (const letter of app.dead.events) expect(letter.extensions.deadletterreason).toContain('reason text');
  }, 120_000);
});
