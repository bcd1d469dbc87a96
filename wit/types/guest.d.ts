/**
 * Types for a JavaScript or TypeScript guest of spindle's `spindle:event/transformer`
 * world (wit/event.wit), imported as `spindle/guest`:
 *
 *   import type { Handler } from 'spindle/guest';
 *   import { get } from 'fermyon:spin/variables@2.0.0';
 *
 *   export const handler: Handler = {
 *     handle(event) {
 *       return [{ ...event, type: `${event.type}${get('suffix')}` }];
 *     },
 *   };
 *
 * Types only: import them with `import type` (a guest has no `spindle` module at run
 * time). The declarations under generated/ are jco's guest types of the world, also
 * for the `fermyon:spin/variables@2.0.0` import; test/unit/guest-types.test.ts keeps
 * them in step with the WIT.
 */
/// <reference path="./generated/transformer.d.ts" />
import type { Event, Error as EventError } from 'spindle:event/types@0.1.0';

export type { Event, EventError };

/** What a guest exports as `handler`. */
export interface Handler {
  /**
   * Transform one event: return the events to emit, `[]` for none, `[event]` for one, or
   * several. `data` is bytes (`Uint8Array`), `extensions` a list of `[name, value]` pairs.
   *
   * To fail, throw an `EventError`: `{ tag: 'invalid', val: reason }` when retrying
   * cannot help (dead-lettered, or 400 over HTTP), `{ tag: 'retry', val: reason }` when it
   * may (delivered again with backoff). A thrown `Error` counts as `retry` with its message.
   */
  handle(event: Event): Event[];
}
