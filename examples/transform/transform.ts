// The TriggerMesh "transformation with a function" tutorial, as a spindle component:
// parse the JSON data, add "hello": "wasm", and re-emit the event as
// `<incoming type><suffix>` from `spin-app`, keeping its id and specversion.
// Built by `spindle componentize transform.ts --engine quickjs` (types erased, nothing
// else changes): a transform needs no web APIs, and QuickJS costs half the CPU per event.
import { get } from 'fermyon:spin/variables@2.0.0';
import type { EventError, Handler } from 'spindle/guest';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Retrying cannot fix bad input: `invalid` sends it to the dead-letter sink (400 over HTTP). */
function invalid(reason: string): EventError {
  return { tag: 'invalid', val: reason };
}

export const handler: Handler = {
  handle(event) {
    let data: unknown;
    try {
      data = JSON.parse(decoder.decode(event.data ?? new Uint8Array()));
    } catch (error) {
      throw invalid(`data is not JSON: ${(error as Error).message}`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw invalid('data must be a JSON object');
    }
    return [
      {
        id: event.id,
        source: 'spin-app',
        type: `${event.type}${get('suffix')}`,
        specversion: event.specversion,
        datacontenttype: 'application/json',
        extensions: [],
        data: encoder.encode(JSON.stringify({ ...data, hello: 'wasm' })),
      },
    ];
  },
};
