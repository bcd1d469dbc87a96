import { SpindleError } from '../errors.ts';

/** Where and how spans are exported: OTLP over HTTP, from the standard OTEL_* variables. */
export interface TraceExport {
  /** The traces endpoint, `/v1/traces` included. */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
  sampler: Sampling;
}

/** OTEL_TRACES_SAMPLER and its argument: which new traces are recorded, and whether a parent's choice is followed. */
export interface Sampling {
  root: 'always_on' | 'always_off' | 'traceidratio';
  /** For `traceidratio`: the share of traces recorded, 0 to 1. */
  ratio: number;
  /** Follow the sampled flag of the incoming `traceparent` (the `parentbased_` samplers, the default). */
  parentBased: boolean;
}

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * The OTLP export the environment asks for, or undefined: spans go nowhere unless an
 * endpoint is set, and never with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 * A value spindle cannot honour (another exporter, gRPC) is an error at start-up rather
 * than traces silently lost.
 */
export function traceExport(env: NodeJS.ProcessEnv): TraceExport | undefined {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporter = value(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter === 'none') return undefined;
  if (exporter !== undefined && exporter !== 'otlp') {
    throw new SpindleError(`OTEL_TRACES_EXPORTER='${exporter}': spindle exports traces with 'otlp' or 'none'`);
  }
  const url = tracesUrl(env);
  if (url === undefined) return undefined;
  const protocolVariable = value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = value(env, protocolVariable) ?? 'http/protobuf';
  if (!isProtocol(protocol)) {
    throw new SpindleError(`${protocolVariable}='${protocol}': spindle exports traces over ${PROTOCOLS.join(' or ')}`);
  }
  return { url, protocol, serviceName: value(env, 'OTEL_SERVICE_NAME') ?? 'spindle', sampler: sampling(env) };
}

function sampling(env: NodeJS.ProcessEnv): Sampling {
  const name = value(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  if (!SAMPLERS.includes(name)) {
    throw new SpindleError(`OTEL_TRACES_SAMPLER='${name}': expected one of ${SAMPLERS.join(', ')}`);
  }
  const root = name.replace(/^parentbased_/, '') as Sampling['root'];
  // The argument means something to the ratio samplers only (and is ignored by the others).
  const arg = root === 'traceidratio' ? value(env, 'OTEL_TRACES_SAMPLER_ARG') : undefined;
  const ratio = arg === undefined ? 1 : Number(arg);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new SpindleError(`OTEL_TRACES_SAMPLER_ARG='${arg}': expected a ratio from 0 to 1`);
  }
  return { root, ratio, parentBased: name.startsWith('parentbased_') };
}

/** The signal-specific endpoint is the URL as is; the generic one gets `/v1/traces` appended (OTLP spec). */
function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const specific = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const generic = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const [name, url] =
    specific !== undefined
      ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific]
      : generic !== undefined
        ? ['OTEL_EXPORTER_OTLP_ENDPOINT', `${generic.replace(/\/+$/, '')}/v1/traces`]
        : [];
  if (name === undefined || url === undefined) return undefined;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new SpindleError(`${name}='${url}' is not an http(s) URL (e.g. http://127.0.0.1:4318)`);
  }
  return url;
}

function isProtocol(protocol: string): protocol is TraceExport['protocol'] {
  return (PROTOCOLS as readonly string[]).includes(protocol);
}

/** An empty variable counts as unset, as the OTel SDKs read them. */
function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}
