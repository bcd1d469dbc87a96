// {{component-id}}: a spindle:event transformer. It adds a field to JSON data and
// re-types the event; change `handle` to transform yours. `spindle build` builds it.
import { get } from 'fermyon:spin/variables@2.0.0';
import type { Event, EventError, Handler } from 'spindle/guest';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Retrying cannot fix bad input: `invalid` dead-letters it (a 400 over HTTP). */
function invalid(reason: string): EventError {
  return { tag: 'invalid', val: reason };
}

export const handler: Handler = {
  handle(event: Event): Event[] {
    let data: unknown;
    try {
      data = JSON.parse(decoder.decode(event.data ?? new Uint8Array()));
    } catch (error) {
      throw invalid(`data is not JSON: ${(error as Error).message}`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid('data must be a JSON object');
    return [
      {
        ...event,
        type: `${event.type}${get('suffix')}`,
        datacontenttype: 'application/json',
        data: encoder.encode(JSON.stringify({ ...data, transformedBy: '{{component-id}}' })),
      },
    ];
  },
};
