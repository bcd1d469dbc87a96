import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/** One span as an OTLP collector received it, ids in hex. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  status: number;
  serviceName: string;
}

export const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (traces go to `/v1/traces`). */
  url: string;
  spans: ReceivedSpan[];
  /** The Content-Type of each export request. */
  contentTypes: string[];
  close(): Promise<void>;
}

/**
 * The OTLP/HTTP trace request, the fields tests read: protobuf decoding skips the others,
 * so this subset of opentelemetry-proto's trace.proto (field numbers kept) reads the real thing.
 */
const PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { repeated Span spans = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  repeated KeyValue attributes = 9; Status status = 15;
}
message Status { int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
}
`;
const Request = protobuf.parse(PROTO).root.lookupType('ExportTraceServiceRequest');

interface KeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId?: string;
        spanId?: string;
        parentSpanId?: string;
        name?: string;
        kind?: number;
        attributes?: KeyValue[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

/** A small OTLP/HTTP trace collector on 127.0.0.1: http/json and http/protobuf. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    contentTypes.push(type);
    try {
      const json = type.startsWith('application/json');
      // OTLP/JSON writes ids in hex; protobuf bytes come out of toObject in base64.
      const request = json ? (JSON.parse(body.toString()) as OtlpRequest) : decode(body);
      spans.push(...flatten(request, json ? (id) => id : (id) => Buffer.from(id, 'base64').toString('hex')));
      res.writeHead(200, { 'content-type': type }).end(type.startsWith('application/json') ? '{}' : undefined);
    } catch (error) {
      res.writeHead(400).end((error as Error).message);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Protobuf to the shape of OTLP/JSON (ids in base64). */
function decode(body: Buffer): OtlpRequest {
  const message = Request.decode(body);
  return Request.toObject(message, { longs: Number, bytes: String, defaults: false }) as OtlpRequest;
}

function flatten(request: OtlpRequest, hex: (id: string) => string): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resource) => {
    const serviceName = String(attributes(resource.resource?.attributes)['service.name'] ?? '');
    return (resource.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: hex(span.traceId ?? ''),
        spanId: hex(span.spanId ?? ''),
        parentSpanId: hex(span.parentSpanId ?? ''),
        name: span.name ?? '',
        kind: span.kind ?? 0,
        attributes: attributes(span.attributes),
        status: span.status?.code ?? 0,
        serviceName,
      })),
    );
  });
}

function attributes(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    const v = value?.stringValue ?? value?.boolValue ?? value?.intValue ?? value?.doubleValue;
    if (v !== undefined) out[key] = typeof v === 'string' && value?.intValue !== undefined ? Number(v) : v;
  }
  return out;
}
