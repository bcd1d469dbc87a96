/**
 * `spindle up` serves Prometheus metrics: after a known flow on the CloudEvents target,
 * the counters and histogram counts a dashboard charts say what happened; they are
 * served apart with --metrics-listen, and not at all with --no-metrics.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { manifestDir } from '../support/manifest-dir.ts';
import { postEvent } from '../support/post-event.ts';
import { parseSamples, type Sample, sampleValue, scrape } from '../support/prometheus-text.ts';
import { type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

let wasm: string;
const cleanups = cleanupAfterEach();

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
});

async function receiver(): Promise<EventReceiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

/** `spindle up` with the behaviours guest on a CloudEvents target whose table is `trigger`. */
async function serve(trigger: string, flags: string[] = [], component = ''): Promise<SpindleProcess> {
  const dir = await manifestDir({
    'spindle.toml': `[application]
name = "metrics"
[[trigger.cloudevents]]
component = "behaviours"
${trigger}
[component.behaviours]
source = "${wasm}"
${component}
`,
  });
  const spindle = await startSpindle(['-f', dir, '--log-format', 'json', ...flags]);
  cleanups.push(() => spindle.stop('SIGKILL'));
  return spindle;
}

function send(spindle: SpindleProcess, type: string, id: string) {
  return postEvent(spindle.url, { id, type, source: '/metrics-test' });
}

describe('metrics of spindle up', () => {
  it('counts, per trigger and component, what became of each event, and times it', async () => {
    const sink = await receiver();
    const deadLetters = await receiver();
    const spindle = await serve(`sink = "${sink.url}"
dead_letter = "${deadLetters.url}"
retry = { attempts = 2, backoff_ms = 1, max_delay_ms = 1 }
filter = { prefix = { type = "test." } }`);
    sink.failNext(1); // the first send fails once: a sink failure, retried
    expect((await send(spindle, 'test.echo', 'e1')).status).toBe(202);
    expect((await send(spindle, 'other.echo', 'e2')).status).toBe(202); // filtered
    expect((await send(spindle, 'test.retry', 'e3')).status).toBe(202); // retried, then dead-lettered
    expect((await send(spindle, 'test.invalid', 'e4')).status).toBe(202); // dead-lettered at once
    expect(sink.events.map((e) => e.id)).toEqual(['e1']);
    expect(deadLetters.events.map((e) => e.id)).toEqual(['e3', 'e4']);

    const samples = await scrape(new URL('/metrics', spindle.url));
    const route = { trigger: 'cloudevents[0]', component: 'behaviours' };
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);
    expect(value('messaging_client_consumed_messages_total', route)).toBe(4);
    const outcome = (name: string) => value('spindle_event_outcomes_total', { ...route, outcome: name });
    expect([outcome('processed'), outcome('filtered'), outcome('dead_lettered'), outcome('failed')]).toEqual([
      1,
      1,
      2,
      undefined,
    ]);
    expect(value('spindle_events_emitted_total', route)).toBe(1);
    expect(value('spindle_event_retries_total', { ...route, error_type: 'sink' })).toBe(1);
    expect(value('spindle_event_retries_total', { ...route, error_type: 'retry' })).toBe(1);
    const e2e = (name: string) => value('spindle_event_duration_seconds_count', { ...route, outcome: name });
    expect([e2e('processed'), e2e('filtered'), e2e('dead_lettered')]).toEqual([1, 1, 2]);

    // Invocations: echo once (its events are kept for the sink's retry), retry twice, invalid once.
    const invocations = (errorType: string) =>
      value('messaging_process_duration_seconds_count', { component: 'behaviours', error_type: errorType });
    expect([invocations(''), invocations('retry'), invocations('invalid')]).toEqual([1, 2, 1]);

    const sends = (uri: string, errorType: string) =>
      value('messaging_client_operation_duration_seconds_count', { sink: uri, error_type: errorType });
    expect([sends(sink.url, 'sink'), sends(sink.url, ''), sends(deadLetters.url, '')]).toEqual([1, 1, 2]);
    expect(value('messaging_client_sent_messages_total', { sink: sink.url, error_type: '' })).toBe(1);

    // The worker pool is at rest after the flow; the process's own metrics are there too.
    expect(value('spindle_workers', { component: 'behaviours', state: 'busy' })).toBe(0);
    expect(value('spindle_workers', { component: 'behaviours', state: 'idle' })).toBeGreaterThanOrEqual(1);
    expect(value('spindle_events_waiting', { component: 'behaviours' })).toBe(0);
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(labelValues(samples)).not.toContain('e1'); // never an event id as a label
  });

  it('shows a busy worker pool: the busy worker and the events waiting for it', async () => {
    const spindle = await serve('retry = { attempts = 1 }', [], 'threads = 1\ntimeout_ms = 5000');
    const pool = async () => {
      const samples = await scrape(new URL('/metrics', spindle.url));
      const workers = (state: string) => sampleValue(samples, 'spindle_workers', { component: 'behaviours', state });
      return [workers('busy'), workers('idle'), sampleValue(samples, 'spindle_events_waiting')];
    };
    expect(await pool()).toEqual([0, 1, 0]);
    // The loop holds the only worker until its deadline; the three after it wait.
    const answers = [send(spindle, 'test.loop', 'loop')];
    await waitFor(async () => (await pool())[0] === 1, { what: 'the worker busy with the loop' });
    answers.push(...['w1', 'w2', 'w3'].map((id) => send(spindle, 'test.echo', id)));
    await waitFor(async () => String(await pool()) === '1,0,3', { what: 'one busy worker, three events waiting' });
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual([500, 200, 200, 200]);
    expect(await pool()).toEqual([0, 1, 0]);
  });

  it('serves them on a listener of their own with --metrics-listen, and not on the main one', async () => {
    const spindle = await serve('', ['--metrics-listen', '127.0.0.1:0']);
    const banner = JSON.parse(
      spindle
        .output()
        .split('\n')
        .find((line) => line.includes('Serving')) ?? '{}',
    );
    const metricsUrl = new URL(banner.metrics);
    expect(metricsUrl.port).not.toBe(spindle.url.port);
    expect((await fetch(new URL('/metrics', spindle.url))).status).toBe(404);
    await send(spindle, 'test.echo', 'apart');
    const samples = await scrape(metricsUrl);
    expect(
      sampleValue(samples, 'spindle_event_outcomes_total', { trigger: 'cloudevents[0]', outcome: 'processed' }),
    ).toBe(1);
  });

  it('collects none with --no-metrics: /metrics is not found', async () => {
    const spindle = await serve('', ['--no-metrics']);
    await send(spindle, 'test.echo', 'off');
    const response = await fetch(new URL('/metrics', spindle.url));
    expect(response.status).toBe(404);
  });
});

function labelValues(samples: Sample[]): string[] {
  return samples.flatMap((s) => Object.values(s.labels));
}

// Keep the parser honest on a line with escapes, as prom-client writes them.
it('reads escaped label values', () => {
  expect(parseSamples('m{a="x\\"y",b="1"} 2\n')).toEqual([{ name: 'm', labels: { a: 'x"y', b: '1' }, value: 2 }]);
});
