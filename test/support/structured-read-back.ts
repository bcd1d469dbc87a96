import type { CloudEvent } from '../../src/event.ts';

/**
 * What a JSON Event Format round trip gives back for `event`. Data travelling as a `data`
 * member without a datacontenttype reads back as application/json: "If the
 * datacontenttype is unspecified, processing SHOULD proceed as if it were
 * application/json" (json-format.md 3.1), and spindle says so explicitly.
 */
export function structuredReadBack(event: CloudEvent): CloudEvent {
  if (event.datacontenttype !== undefined || event.data === undefined || !isDataMember(event.data)) return event;
  return { ...event, datacontenttype: 'application/json' };
}

/** Bytes that travel as a `data` member: JSON other than null, written as JSON.stringify writes it (else data_base64 keeps them exact). */
function isDataMember(bytes: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const value: unknown = JSON.parse(text);
    return value !== null && JSON.stringify(value) === text;
  } catch {
    return false;
  }
}
