import type { CloudEvent } from '../../src/event.ts';

/** Every byte value once: data that only a byte-exact codec carries unchanged. */
export const ALL_BYTES = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));

/** An event with every context attribute set, for codec round trips; `extensions` added to the defaults. */
export function fullEvent(extensions: Record<string, string> = {}): CloudEvent {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: '/orders/eu',
    type: 'com.example.order.created',
    datacontenttype: 'application/octet-stream',
    dataschema: 'https://example.com/schema',
    subject: 'order-42',
    time: '2024-05-06T07:08:09.123Z',
    extensions: { ...extensions, traceparent: '00-abc-def-01', ext1: 'value' },
    data: ALL_BYTES,
  };
}
