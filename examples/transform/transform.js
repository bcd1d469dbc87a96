// The TriggerMesh "transformation with a function" tutorial, as a spindle component:
// parse the JSON data, add "hello": "wasm", and re-emit the event as
// `<incoming type><suffix>` from `spin-app`, keeping its id and specversion.
import { get } from 'fermyon:spin/variables@2.0.0';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const handler = {
  handle(event) {
    let data;
    try {
      data = JSON.parse(decoder.decode(event.data ?? new Uint8Array()));
    } catch (error) {
      // Retrying cannot fix bad input: `invalid` sends it to the dead-letter sink.
      throw { tag: 'invalid', val: `data is not JSON: ${error.message}` };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw { tag: 'invalid', val: 'data must be a JSON object' };
    }
    data.hello = 'wasm';
    return [
      {
        id: event.id,
        source: 'spin-app',
        type: `${event.type}${get('suffix')}`,
        specversion: event.specversion,
        datacontenttype: 'application/json',
        extensions: [],
        data: encoder.encode(JSON.stringify(data)),
      },
    ];
  },
};
