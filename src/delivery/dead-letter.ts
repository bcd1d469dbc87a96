import { ComponentError, SINK_RESPONSE_BODY_LIMIT, SinkError, type SpindleError } from '../errors.ts';
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
  Object.assign(extensions, knativeError(error));
  return deliverable(withChanges(event, { extensions }));
}

/**
 * Knative's dead-letter extensions, when a sink answered with an error status: which
 * destination (`knativeerrordest`, credentials already masked), its status
 * (`knativeerrorcode`), and the start of its body in base64 (`knativeerrordata`: Knative
 * reads 1024 bytes of it and keeps 1024 characters of their base64).
 */
function knativeError(error: SpindleError): Record<string, string> {
  if (!(error instanceof SinkError) || error.response === undefined) return {};
  const { status, body } = error.response;
  const out: Record<string, string> = { knativeerrordest: error.sink, knativeerrorcode: String(status) };
  const data = Buffer.from(body.subarray(0, SINK_RESPONSE_BODY_LIMIT)).toString('base64');
  if (data !== '') out.knativeerrordata = data.slice(0, SINK_RESPONSE_BODY_LIMIT);
  return out;
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
