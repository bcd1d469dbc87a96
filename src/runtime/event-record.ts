import type { CloudEvent } from '../event.ts';

/**
 * The WIT `spindle:event/types.event` record as jco lifts and lowers it: `type` keeps its
 * name, options are `undefined` when absent, extensions are a list of pairs.
 */
export interface EventRecord {
  id: string;
  source: string;
  type: string;
  specversion: string;
  datacontenttype?: string | undefined;
  dataschema?: string | undefined;
  subject?: string | undefined;
  time?: string | undefined;
  extensions: [string, string][];
  data?: Uint8Array | undefined;
}

/** A CloudEvent as the guest receives it. */
export function toRecord(event: CloudEvent): EventRecord {
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    specversion: event.specversion,
    datacontenttype: event.datacontenttype,
    dataschema: event.dataschema,
    subject: event.subject,
    time: event.time,
    extensions: Object.entries(event.extensions),
    data: event.data,
  };
}

/**
 * A record the guest returned, as a CloudEvent (absent options dropped). A name repeated
 * in `extensions` keeps its last value, as a header set twice would; `violations` in
 * src/event.ts judges the rest.
 */
export function fromRecord(record: EventRecord): CloudEvent {
  const event: {
    -readonly [K in keyof CloudEvent]: CloudEvent[K];
  } = {
    id: record.id,
    source: record.source,
    type: record.type,
    specversion: record.specversion,
    extensions: Object.fromEntries(record.extensions),
  };
  if (record.datacontenttype !== undefined) event.datacontenttype = record.datacontenttype;
  if (record.dataschema !== undefined) event.dataschema = record.dataschema;
  if (record.subject !== undefined) event.subject = record.subject;
  if (record.time !== undefined) event.time = record.time;
  if (record.data !== undefined) event.data = record.data;
  return event;
}
