import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { SinkError } from '../../src/errors.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import { otlpBackend } from '../../src/observe/otlp.ts';
import { sinkSpans } from '../../src/observe/span-names.ts';
import { type Sampling, traceExport } from '../../src/observe/trace-export.ts';
import { tracedDispatch } from '../../src/observe/traced-dispatch.ts';
import { Tracing } from '../../src/observe/tracing.ts';
import type { Component } from '../../src/runtime/component.ts';
import type { EventSink, Route } from '../../src/trigger.ts';

const [TRACE_A, TRACE_B] = ['a'.repeat(32), 'b'.repeat(32)];
const event = (id: string, traceId?: string): CloudEvent => ({
  id,
  source: '/s',
  type: 'demo',
  specversion: '1.0',
  extensions: traceId === undefined ? {} : { traceparent: `00-${traceId}-${'1'.repeat(16)}-01`, tracestate: 'k=v' },
});

/** Emits one event per event, extensions copied as a guest that forwards them would. */
const component = {
  id: 'c',
  worlds: new Set(['event'] as const),
  instances: 'reuse' as const,
  limits: { timeoutMs: 30_000, maxOutputBytes: 65_536 },
  handle: async (e: CloudEvent) => [{ ...e, type: 'demo.out' }],
  call: async () => undefined as never,
  close: async () => {},
} satisfies Component;

/** Records every batch sent; refuses all of them with `failing`. */
function sink(failing = false): EventSink & { batches: CloudEvent[][] } {
  return {
    uri: 'kafka://127.0.0.1:9092/out',
    batches: [],
    async send(batch) {
      if (failing) throw new SinkError('kafka://127.0.0.1:9092/out', 'down', { retriable: false });
      this.batches.push(batch);
    },
    close: async () => {},
  };
}

/** A trigger's dispatch through an exporting Tracing (or the API's no-op one) to `out`. */
function traced(out: EventSink, exporting = true, deadLetter?: EventSink) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const backend = {
    tracer: provider.getTracer('test'),
    propagator: new W3CTraceContextPropagator(),
    shutdown: async () => {},
  };
  const tracing = new Tracing(exporting ? backend : undefined, (text) => text);
  const dispatcher = new Dispatcher({
    component: () => component,
    logger: silentLogger(),
    signal: new AbortController().signal,
    tracing,
  });
  const route: Route = {
    componentId: 'c',
    sink: tracing.sink(out),
    ...(deadLetter ? { deadLetter: tracing.sink(deadLetter) } : {}),
    retry: { attempts: 1, backoffMs: 1, maxDelayMs: 1 },
  };
  return { route, dispatch: tracedDispatch(tracing, 'kafka', dispatcher), spans: () => exporter.getFinishedSpans() };
}

const named = (spans: ReadableSpan[], name: string, traceId: string) =>
  spans.filter((s) => s.name === name && s.spanContext().traceId === traceId);

describe('tracing of a dispatch', () => {
  it('gives each event of one batch its own trace: process, invoke and send spans, the event sent in the send span', async () => {
    const out = sink();
    const { route, dispatch, spans } = traced(out);
    await dispatch.dispatchAll(route, [event('a', TRACE_A), event('b', TRACE_B)]);

    expect(out.batches.map((b) => b.map((e) => e.id))).toEqual([['a', 'b']]); // still one round trip
    for (const [traceId, sent] of [
      [TRACE_A, out.batches[0]?.[0]],
      [TRACE_B, out.batches[0]?.[1]],
    ] as const) {
      const [process] = named(spans(), 'process c', traceId);
      const [invoke] = named(spans(), 'invoke c', traceId);
      const [send] = named(spans(), 'send out', traceId);
      expect(process?.kind).toBe(SpanKind.CONSUMER);
      expect(process?.parentSpanContext?.spanId).toBe('1'.repeat(16));
      expect(process?.attributes).toMatchObject({ 'messaging.system': 'kafka', 'spindle.outcome': 'emitted' });
      expect(invoke?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
      expect(send?.kind).toBe(SpanKind.PRODUCER);
      expect(send?.parentSpanContext?.spanId).toBe(invoke?.spanContext().spanId);
      expect(send?.attributes).toMatchObject({
        'messaging.destination.name': 'out',
        'messaging.operation.type': 'send',
      });
      expect(sent?.extensions).toEqual({
        traceparent: `00-${traceId}-${send?.spanContext().spanId}-01`,
        tracestate: 'k=v',
      });
    }
  });

  it('starts a trace for an event that carries none', async () => {
    const out = sink();
    const { route, dispatch, spans } = traced(out);
    await dispatch.dispatch(route, event('a'));
    const [process] = spans().filter((s) => s.name === 'process c');
    expect(process?.parentSpanContext).toBeUndefined();
    expect(out.batches[0]?.[0]?.extensions.traceparent).toMatch(new RegExp(`^00-${process?.spanContext().traceId}-`));
  });

  it('marks the send and the process span failed when the sink refuses, with the reason', async () => {
    const { route, dispatch, spans } = traced(sink(true));
    const [outcome] = await dispatch.dispatchAll(route, [event('a', TRACE_A)]);
    expect(outcome?.kind).toBe('failed');
    const [send] = named(spans(), 'send out', TRACE_A);
    const [process] = named(spans(), 'process c', TRACE_A);
    expect(send?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('down') });
    expect(process?.status.code).toBe(SpanStatusCode.ERROR);
    expect(process?.attributes['spindle.outcome']).toBe('failed');
  });

  it('sends a dead letter in the trace of the delivery that failed, under its process span', async () => {
    const letters = sink();
    const { route, dispatch, spans } = traced(sink(true), true, letters);
    const [outcome] = await dispatch.dispatchAll(route, [event('a', TRACE_A)]);
    expect(outcome?.kind).toBe('dead-lettered');
    const [process] = named(spans(), 'process c', TRACE_A);
    const send = spans().find(
      (s) => s.name === 'send out' && s.parentSpanContext?.spanId === process?.spanContext().spanId,
    );
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(letters.batches[0]?.[0]?.extensions.traceparent).toBe(`00-${TRACE_A}-${send?.spanContext().spanId}-01`);
  });

  it('with tracing off, hands the incoming trace context on to what the component emits', async () => {
    const out = sink();
    const { route, dispatch, spans } = traced(out, false);
    const own = { ...event('b'), extensions: { traceparent: `00-${TRACE_B}-${'2'.repeat(16)}-00` } };
    await dispatch.dispatchAll(route, [event('a', TRACE_A), own]);
    expect(spans()).toEqual([]);
    expect(out.batches[0]?.map((e) => e.extensions)).toEqual([event('a', TRACE_A).extensions, own.extensions]);
  });
});

const everyTrace = { root: 'always_on', ratio: 1, parentBased: true };

describe('send spans, per sink URI', () => {
  it.each([
    [
      'amqp://u:***@mq:5672/%2F?exchange=orders&routing_key=eu',
      'send orders',
      SpanKind.PRODUCER,
      {
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': 'orders',
        'messaging.rabbitmq.destination.routing_key': 'eu',
        'server.address': 'mq',
      },
    ],
    [
      'redis://cache:6379?stream=out',
      'send out',
      SpanKind.PRODUCER,
      { 'messaging.system': 'redis', 'server.port': 6379 },
    ],
    ['redis://cache:6379?channel=news', 'send news', SpanKind.PRODUCER, { 'messaging.destination.name': 'news' }],
    ['https://sink.example/in', 'POST', SpanKind.CLIENT, { 'url.full': 'https://sink.example/in', 'server.port': 443 }],
  ])('%s: %s', (uri, name, kind, attributes) => {
    const spans = sinkSpans(uri);
    expect(spans).toMatchObject({ name, kind });
    expect(spans.attributes).toMatchObject(attributes);
  });
});

describe('the SDK backend', () => {
  it.each([
    [{ root: 'always_off', ratio: 1, parentBased: false }, false],
    [{ root: 'traceidratio', ratio: 1, parentBased: true }, true],
  ] as const)('samples with %j: recording %s', async (sampler: Sampling, recording) => {
    const backend = await otlpBackend({
      url: 'http://127.0.0.1:9/v1/traces',
      protocol: 'http/json',
      serviceName: 's',
      sampler,
    });
    expect(backend.tracer.startSpan('probe').isRecording()).toBe(recording); // never ended: nothing exported
    await backend.shutdown();
  });
});

describe('OTLP export from the environment', () => {
  it.each([
    ['traceidratio', '0.25', { root: 'traceidratio', ratio: 0.25, parentBased: false }],
    ['parentbased_traceidratio', '0.1', { root: 'traceidratio', ratio: 0.1, parentBased: true }],
    ['always_off', undefined, { root: 'always_off', ratio: 1, parentBased: false }],
  ])('OTEL_TRACES_SAMPLER=%s (arg %s) samples %j', (name, arg, sampler) => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: arg };
    expect(traceExport(env)?.sampler).toEqual(sampler);
  });

  it.each([
    [{}, undefined],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' },
      { url: 'http://c:4318/v1/traces', protocol: 'http/protobuf', serviceName: 'spindle', sampler: everyTrace },
    ],
    [
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_SERVICE_NAME: 'orders',
      },
      { url: 'http://t/x', protocol: 'http/json', serviceName: 'orders', sampler: everyTrace },
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: 'otlp' }, undefined],
  ])('%j exports to %j', (env, expected) => {
    expect(traceExport(env)).toEqual(expected);
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, "OTEL_TRACES_EXPORTER='zipkin': spindle exports traces with 'otlp' or 'none'"],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      "OTEL_EXPORTER_OTLP_PROTOCOL='grpc'",
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER: 'jaeger_remote' },
      "OTEL_TRACES_SAMPLER='jaeger_remote'",
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' },
      "OTEL_TRACES_SAMPLER_ARG='2': expected a ratio from 0 to 1",
    ],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'c:4318' },
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT='c:4318' is not an http(s) URL",
    ],
  ])('%j is refused: %s', (env, reason) => {
    expect(() => traceExport(env)).toThrow(reason);
  });
});
