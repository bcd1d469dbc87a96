// {{component-id}}: a spindle:event transformer. It adds a field to JSON data and
// re-types the event; change `handle` to transform yours. `spindle build` builds it.
import { get } from 'fermyon:spin/variables@2.0.0';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Retrying cannot fix bad input: `invalid` dead-letters it (a 400 over HTTP). */
function invalid(reason) {
  return { tag: 'invalid', val: reason };
}

/** @type {import('spindle/guest').Handler} */
export const handler = {
  handle(event) {
    let data;
    try {
      data = JSON.parse(decoder.decode(event.data ?? new Uint8Array()));
    } catch (error) {
      throw invalid(`data is not JSON: ${error.message}`);
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
