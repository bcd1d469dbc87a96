import { ComponentError, type SpindleError } from '../errors.ts';
import { type CloudEvent, withChanges } from '../event.ts';

/**
 * The event sent to a dead-letter sink: the original event, attributes and data intact,
 * with why it failed as extensions (names follow the spec's lower-case alphanumeric rule).
 */
export function deadLetterEvent(event: CloudEvent, error: SpindleError, attempts: number): CloudEvent {
  const extensions: Record<string, string> = {
    deadletterreason: error.message,
    deadletterkind: kindOf(error),
    deadletterattempts: String(attempts),
  };
  if (error instanceof ComponentError) extensions.deadlettercomponent = error.componentId;
  return withChanges(event, { extensions });
}

/** What failed, for filtering dead letters: invalid, retry, trap, sink or undecodable. */
function kindOf(error: SpindleError): string {
  if (error instanceof ComponentError) return error.failure;
  if (error.name === 'SinkError') return 'sink';
  if (error.name === 'InvalidEventError') return 'undecodable';
  return 'error';
}
