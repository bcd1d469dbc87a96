/**
 * The OpenTelemetry SDK and OTLP exporter, loaded (by a dynamic import) only when the
 * environment asks for traces: with tracing off no span is made at all.
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Sampling, TraceExport } from './trace-export.ts';
import type { TraceBackend } from './tracing.ts';

export async function otlpBackend(config: TraceExport): Promise<TraceBackend> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: sampler(config.sampler),
    spanProcessors: [new BatchSpanProcessor({ exporter: await exporter(config) })],
  });
  return {
    tracer: provider.getTracer('spindle'),
    propagator: new W3CTraceContextPropagator(),
    // Ends the batch processor: the spans still queued are exported before it resolves.
    shutdown: () => provider.shutdown(),
  };
}

/** The SDK reads no environment for this: OTEL_TRACES_SAMPLER as the OTel specification defines it. */
function sampler(sampling: Sampling): Sampler {
  const root =
    sampling.root === 'always_on'
      ? new AlwaysOnSampler()
      : sampling.root === 'always_off'
        ? new AlwaysOffSampler()
        : new TraceIdRatioBasedSampler(sampling.ratio);
  return sampling.parentBased ? new ParentBasedSampler({ root }) : root;
}

/** Each protocol's exporter is its own package: only the one in use is loaded. */
async function exporter(config: TraceExport): Promise<SpanExporter> {
  const { OTLPTraceExporter } =
    config.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: config.url });
}
