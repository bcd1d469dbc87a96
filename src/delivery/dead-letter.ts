import { ComponentError, type SpindleError } from '../errors.ts';
import {
  attributes,
  type CloudEvent,
  escapeForbidden,
  forbiddenCharacter,
  fromAttributes,
  withChanges,
} from '../event.ts';

/**
 * The event sent to a dead-letter sink: the original event, attributes and data intact,
 * with why it failed as extensions (names follow the spec's lower-case alphanumeric rule).
 */
export function deadLetterEvent(event: CloudEvent, error: SpindleError, attempts: number): CloudEvent {
  const extensions: Record<string, string> = {
    deadletterreason: error.message,
    deadletterkind: failureKind(error),
    deadletterattempts: String(attempts),
  };
  if (error instanceof ComponentError) extensions.deadlettercomponent = error.componentId;
  return deliverable(withChanges(event, { extensions }));
}

/**
 * A dead letter must always be deliverable, or the event it saves is retried forever: a
 * character no CloudEvents String may hold (a CR/LF from a broker header or in a guest's
 * error text) is written out as `\u{D}` instead, which no sink refuses.
 */
function deliverable(event: CloudEvent): CloudEvent {
  const attrs = attributes(event);
  if (Object.values(attrs).every((value) => forbiddenCharacter(value) === undefined)) return event;
  const escaped = Object.fromEntries(Object.entries(attrs).map(([name, value]) => [name, escapeForbidden(value)]));
  return fromAttributes(escaped, event.data);
}

/** What failed, for filtering dead letters (and labelling metrics): invalid, retry, trap, sink or undecodable. */
export function failureKind(error: SpindleError): string {
  if (error instanceof ComponentError) return error.failure;
  if (error.name === 'SinkError') return 'sink';
  if (error.name === 'InvalidEventError') return 'undecodable';
  return 'error';
}
