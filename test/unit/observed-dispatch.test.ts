/**
 * Events observed from receipt to outcome: a batch that stops at a failure (Kafka's
 * `untilFailed`) counts every event received but only the outcomes it had, and logs a
 * debug line for those only.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SpindleError } from '../../src/errors.ts';
import type { CloudEvent } from '../../src/event.ts';
import { Metrics } from '../../src/observe/metrics.ts';
import { type Delivery, observedDispatch } from '../../src/observe/observed-dispatch.ts';
import type { Outcome, Route } from '../../src/trigger.ts';
import { parseSamples, sampleValue } from '../support/prometheus-text.ts';

const route: Route = {
  componentId: 'shout',
  table: 'trigger.kafka[0]',
  retry: { attempts: 1, backoffMs: 1, maxDelayMs: 1 },
};
const event = (id: string): CloudEvent => ({ id, source: '/t', type: 'order', specversion: '1.0', extensions: {} });

/** A delivery whose batches stop after one emitted event and one failure. */
const stopping: Delivery = {
  dispatch: async () => ({ kind: 'filtered' }),
  dispatchAll: async (): Promise<Outcome[]> => [
    { kind: 'emitted', events: [event('out')] },
    { kind: 'failed', error: new SpindleError('down', { retriable: true }) },
  ],
  dispatchDecoded: async () => [],
  reject: async () => ({ kind: 'filtered' }),
};

describe('observed delivery', () => {
  it('counts every event received, and the outcomes of those tried', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const metrics = new Metrics();
    const delivery = observedDispatch(stopping, { metrics, logger });
    await delivery.dispatchAll(route, [event('a'), event('b'), event('c')], { untilFailed: true });

    const samples = parseSamples(await metrics.registry.metrics());
    const labels = { trigger: 'kafka[0]', component: 'shout' };
    expect(sampleValue(samples, 'messaging_client_consumed_messages_total', labels)).toBe(3);
    expect(sampleValue(samples, 'spindle_event_outcomes_total', { ...labels, outcome: 'processed' })).toBe(1);
    expect(sampleValue(samples, 'spindle_event_outcomes_total', { ...labels, outcome: 'failed' })).toBe(1);
    expect(sampleValue(samples, 'spindle_events_emitted_total', labels)).toBe(1);
    expect(lines.filter((l) => l.msg === 'event done').map((l) => [l.event, l.outcome])).toEqual([
      ['a', 'emitted'],
      ['b', 'failed'],
    ]);
  });
});
