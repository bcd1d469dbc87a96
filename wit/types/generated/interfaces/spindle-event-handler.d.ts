/// <reference path="./spindle-event-types.d.ts" />
declare module 'spindle:event/handler@0.1.0' {
  /**
   * Transform one event into zero, one or several events.
   */
  export function handle(event: Event): Array<Event>;
  export type Event = import('spindle:event/types@0.1.0').Event;
  export type Error = import('spindle:event/types@0.1.0').Error;
}
