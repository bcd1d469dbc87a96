/**
 * The CloudEvents a test sends to spindle and reads back, in the JSON event format
 * (structured mode): what a test writes by hand and compares with `toEqual`.
 */
import { randomUUID } from 'node:crypto';

/** A CloudEvent in the JSON format; `data` is JSON when datacontenttype is JSON. */
export interface CloudEventJson {
  specversion: string;
  id: string;
  source: string;
  type: string;
  datacontenttype?: string;
  data?: unknown;
  data_base64?: string;
  [attribute: string]: unknown;
}

/** What a test gives `sendEvent`: `type` at least; id, source and specversion are filled in. */
export type CloudEventInput = Partial<CloudEventJson> & { type: string };

/** spindle's answer to one event. */
export interface SpindleReply {
  /** 200 with events, 202 when the events went to a sink (or there were none), 4xx/5xx with the reason. */
  status: number;
  headers: Headers;
  /** The events in the reply: one (structured), several (batch), or none. */
  events: CloudEventJson[];
  /** The body as text: the reason when the status is not 2xx. */
  body: string;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

/** POST `event` to `url` in structured mode and read the reply (structured, batch, or binary). */
export async function postCloudEvent(url: string, event: CloudEventInput): Promise<SpindleReply> {
  const complete: CloudEventJson = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/spindle/testing',
    ...(event.data !== undefined && typeof event.data !== 'string' && event.datacontenttype === undefined
      ? { datacontenttype: 'application/json' }
      : {}),
    ...event,
  };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': STRUCTURED },
    body: JSON.stringify(complete),
  });
  const body = await response.text();
  return { status: response.status, headers: response.headers, events: readEvents(response, body), body };
}

function readEvents(response: Response, body: string): CloudEventJson[] {
  if (!response.ok) return [];
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith(BATCH)) return JSON.parse(body) as CloudEventJson[];
  if (type.startsWith(STRUCTURED)) return [JSON.parse(body) as CloudEventJson];
  const specversion = response.headers.get('ce-specversion');
  if (specversion === null) return [];
  // Binary mode: attributes in ce- headers, data in the body.
  const event: Record<string, unknown> = {};
  for (const [name, value] of response.headers) if (name.startsWith('ce-')) event[name.slice(3)] = value;
  if (body !== '') {
    event.datacontenttype = type;
    event.data = /[/+]json(;|$)/.test(type) ? JSON.parse(body) : body;
  }
  return [event as CloudEventJson];
}
