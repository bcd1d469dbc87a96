import {
  type Context,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { CloudEvent } from '../event.ts';
import type { EventSink, Outcome } from '../trigger.ts';
import { ATTR, invokeSpan, processSpan, type SinkSpans, type SpanShape, sendSpan, sinkSpans } from './span-names.ts';
import { traceExport } from './trace-export.ts';

/** Where spans go: the SDK's exporting tracer, and the W3C propagator. */
export interface TraceBackend {
  tracer: Tracer;
  propagator: Pick<TextMapPropagator, 'inject' | 'extract'>;
  /** Exports the spans still buffered. */
  shutdown(): Promise<void>;
}

/**
 * The tracing the environment asks for (see trace-export.ts). Off, the SDK is not even
 * loaded and no span is made: emitted events get the incoming event's trace context as
 * it came (see bench/observability/span-cost.ts for what each costs).
 */
export async function startTracing(env: NodeJS.ProcessEnv, redact: Redact = (text) => text): Promise<Tracing> {
  const config = traceExport(env);
  if (config === undefined) return new Tracing(undefined, redact);
  const { otlpBackend } = await import('./otlp.ts');
  return new Tracing(await otlpBackend(config), redact);
}

/** Masks secrets in what spans show (error messages): they leave the process. */
type Redact = (text: string) => string;

/**
 * W3C trace context carried by events, as the CloudEvents distributed-tracing extension
 * does (`traceparent`, `tracestate`), continued in spans: one per event delivered
 * (process), one per component call (invoke), one per send to a sink. Every event sent
 * carries the context of its send span, so that a flow across brokers is one trace.
 */
export class Tracing {
  /** Undefined: tracing is off. */
  readonly #backend: TraceBackend | undefined;
  readonly #redact: Redact;
  /** The process span of each event being delivered: its invocations are its children. */
  readonly #delivering = new WeakMap<CloudEvent, Context>();

  constructor(backend: TraceBackend | undefined, redact: Redact) {
    this.#backend = backend;
    this.#redact = redact;
  }

  /** Whether spans are made: off, the calls below cost next to nothing. */
  get on(): boolean {
    return this.#backend !== undefined;
  }

  /** Delivers `events` (a trigger's dispatch) in a span each; `deliver` answers one outcome per event, in order. */
  async process(
    trigger: string,
    componentId: string,
    events: readonly CloudEvent[],
    deliver: () => Promise<Outcome[]>,
  ): Promise<Outcome[]> {
    const backend = this.#backend;
    if (backend === undefined) return deliver();
    const spans = events.map((event) => {
      const [span, context] = start(backend, processSpan(trigger, componentId, event), extract(backend, event));
      if (context !== undefined) this.#delivering.set(event, context);
      return span;
    });
    try {
      const outcomes = await deliver();
      for (const [i, span] of spans.entries()) this.#end(span, outcomes[i]);
      return outcomes;
    } catch (error) {
      for (const span of spans) this.#fail(span, error);
      throw error;
    }
  }

  /** One component call; the events it emitted carry the context of its span. */
  async invoke(componentId: string, event: CloudEvent, handle: () => Promise<CloudEvent[]>): Promise<CloudEvent[]> {
    const backend = this.#backend;
    if (backend === undefined) return carried(event, await handle());
    const parent = this.#delivering.get(event) ?? extract(backend, event);
    const [span, context] = start(backend, invokeSpan(componentId, event), parent);
    let emitted: CloudEvent[];
    try {
      emitted = await handle();
    } catch (error) {
      this.#fail(span, error);
      throw error;
    }
    span.end();
    return context === undefined ? emitted : emitted.map((e) => stamp(backend, e, context));
  }

  /** The dead letter of `event` in the trace of its delivery: its send span is a child of the process span. */
  deadLetter(event: CloudEvent, letter: CloudEvent): CloudEvent {
    const context = this.#delivering.get(event);
    return this.#backend === undefined || context === undefined ? letter : stamp(this.#backend, letter, context);
  }

  /** `sink` with a span around each send, child of each event's own context (one span per trace). */
  sink(sink: EventSink): EventSink {
    const backend = this.#backend;
    if (backend === undefined) return sink;
    const spans = sinkSpans(sink.uri);
    return {
      uri: sink.uri,
      send: (events) => this.#send(backend, sink, spans, events),
      close: () => sink.close(),
    };
  }

  /** Exports the spans still buffered (at shutdown). */
  async shutdown(): Promise<void> {
    await this.#backend?.shutdown();
  }

  async #send(backend: TraceBackend, sink: EventSink, shape: SinkSpans, events: CloudEvent[]): Promise<void> {
    const byTrace = new Map<string, CloudEvent[]>();
    for (const event of events) {
      const key = event.extensions.traceparent ?? '';
      const group = byTrace.get(key);
      if (group === undefined) byTrace.set(key, [event]);
      else group.push(event);
    }
    const spans: Span[] = [];
    const contexts = new Map<string, Context>();
    for (const [traceparent, group] of byTrace) {
      const [span, context] = start(backend, sendSpan(shape, group), extract(backend, group[0] as CloudEvent));
      spans.push(span);
      if (context !== undefined) contexts.set(traceparent, context);
    }
    const stamped = contexts.size === 0 ? events : events.map((e) => restamp(backend, e, contexts));
    try {
      await sink.send(stamped);
    } catch (error) {
      for (const span of spans) this.#fail(span, error);
      throw error;
    }
    for (const span of spans) span.end();
  }

  #end(span: Span, outcome: Outcome | undefined): void {
    if (outcome !== undefined) {
      span.setAttribute(ATTR.outcome, outcome.kind);
      // Outcome errors are redacted already (the dispatcher shows them in answers and dead letters).
      if (outcome.kind === 'failed' || outcome.kind === 'dead-lettered') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
      }
    }
    span.end();
  }

  #fail(span: Span, error: unknown): void {
    const message = this.#redact(error instanceof Error ? error.message : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.end();
  }
}

/** A span, and the context of it to hand on (undefined for a span that records nothing: nothing to carry). */
function start(backend: TraceBackend, shape: SpanShape, parent: Context): [Span, Context | undefined] {
  // Attributes at the start, where a sampler sees them.
  const span = backend.tracer.startSpan(shape.name, { kind: shape.kind, attributes: shape.attributes() }, parent);
  const valid = isSpanContextValid(span.spanContext());
  return [span, valid ? trace.setSpan(parent, span) : undefined];
}

function extract(backend: TraceBackend, event: CloudEvent): Context {
  if (event.extensions.traceparent === undefined) return ROOT_CONTEXT;
  return backend.propagator.extract(ROOT_CONTEXT, event.extensions, EXTENSIONS);
}

function restamp(backend: TraceBackend, event: CloudEvent, contexts: Map<string, Context>): CloudEvent {
  const context = contexts.get(event.extensions.traceparent ?? '');
  return context === undefined ? event : stamp(backend, event, context);
}

/** The event with `traceparent` and `tracestate` of `context` (a tracestate it had is replaced or dropped). */
function stamp(backend: TraceBackend, event: CloudEvent, context: Context): CloudEvent {
  const carrier: Record<string, string> = {};
  backend.propagator.inject(context, carrier, defaultTextMapSetter);
  if (carrier.traceparent === undefined) return event;
  const { tracestate: _, ...extensions } = event.extensions;
  return { ...event, extensions: { ...extensions, ...carrier } };
}

/**
 * Tracing off: the incoming event's trace context, unchanged, on each emitted event that has
 * none, so that the trace goes on downstream (spindle unseen in it) at the cost of a copy.
 */
function carried(event: CloudEvent, emitted: CloudEvent[]): CloudEvent[] {
  const { traceparent, tracestate } = event.extensions;
  if (traceparent === undefined) return emitted;
  const context = { traceparent, ...(tracestate === undefined ? {} : { tracestate }) };
  return emitted.map((e) =>
    e.extensions.traceparent === undefined ? { ...e, extensions: { ...e.extensions, ...context } } : e,
  );
}

const EXTENSIONS: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
