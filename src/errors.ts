/**
 * spindle's errors say what failed, with which file or event, and whether retrying can
 * help: `retriable` drives retry versus dead-letter in delivery.
 */
export class SpindleError extends Error {
  override name = 'SpindleError';
  readonly retriable: boolean;

  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
  }
}

/** A manifest that cannot be used: names the file, the table and the field. */
export class ManifestError extends SpindleError {
  override name = 'ManifestError';
  readonly file: string;
  readonly table: string;
  readonly field: string | undefined;
  readonly reason: string;

  constructor(
    file: string,
    table: string,
    field: string | undefined,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    // table '' is the manifest's top level: `spin.toml: name: ...`.
    const where = [table === '' ? undefined : `[${table}]`, field].filter((p) => p !== undefined).join(' ');
    super(where === '' ? `${file}: ${reason}` : `${file}: ${where}: ${reason}`, options);
    this.file = file;
    this.table = table;
    this.field = field;
    this.reason = reason;
  }
}

/**
 * Several problems found in one manifest, each a ManifestError; the message lists them,
 * one a line. It is a ManifestError itself (the first problem's file, table and field),
 * so that code which catches a manifest's error catches this one too.
 */
export class ManifestErrors extends ManifestError {
  override name = 'ManifestErrors';
  readonly problems: readonly ManifestError[];

  constructor(problems: readonly [ManifestError, ManifestError, ...ManifestError[]]) {
    const [first] = problems;
    super(first.file, first.table, first.field, first.reason);
    this.message = problems.map((p) => p.message).join('\n');
    this.problems = problems;
  }
}

/** The problems a manifest's error stands for: each of a ManifestErrors, or the one. */
export function problemsOf(error: ManifestError): readonly ManifestError[] {
  return error instanceof ManifestErrors ? error.problems : [error];
}

/** Each problem a failure stands for (every one of a manifest's), as its message. */
export function messagesOf(error: unknown): string[] {
  if (error instanceof ManifestError) return problemsOf(error).map((p) => p.message);
  return [error instanceof Error ? error.message : String(error)];
}

/**
 * What to show of a failure, one line each: every problem of a manifest, else the first
 * line of the message (the rest, such as a TOML excerpt, stays in the error's cause).
 */
export function failureLines(error: unknown): string[] {
  return messagesOf(error).map(firstLine);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/**
 * What a component's failure means for delivery:
 * - `invalid`: the component rejected the event; never retried, dead-lettered.
 * - `retry`: the component asked for another delivery later.
 * - `trap`: the guest trapped or threw; its instance is discarded, the event retried.
 */
export type ComponentFailure = 'invalid' | 'retry' | 'trap';

export class ComponentError extends SpindleError {
  override name = 'ComponentError';
  readonly componentId: string;
  readonly failure: ComponentFailure;
  readonly reason: string;
  readonly eventId: string | undefined;

  constructor(
    componentId: string,
    failure: ComponentFailure,
    reason: string,
    options: { cause?: unknown; eventId?: string } = {},
  ) {
    const about = options.eventId === undefined ? '' : ` on event ${options.eventId}`;
    super(`component ${componentId} ${describe(failure)}${about}: ${reason}`, {
      cause: options.cause,
      retriable: failure !== 'invalid',
    });
    this.componentId = componentId;
    this.failure = failure;
    this.reason = reason;
    this.eventId = options.eventId;
  }
}

function describe(failure: ComponentFailure): string {
  switch (failure) {
    case 'invalid':
      return 'rejected the event as invalid';
    case 'retry':
      return 'asked to retry';
    case 'trap':
      return 'trapped';
  }
}

/** A message or request that is not a usable CloudEvent. Never retriable. */
export class InvalidEventError extends SpindleError {
  override name = 'InvalidEventError';
  readonly eventId: string | undefined;

  constructor(reason: string, eventId?: string, options: { cause?: unknown } = {}) {
    super(eventId === undefined ? reason : `event ${eventId}: ${reason}`, options);
    this.eventId = eventId;
  }
}

/**
 * What a sink answered when it refused events (an HTTP status): the core reads its
 * `Retry-After` and puts it in the dead letter as Knative's `knativeerror*` extensions.
 */
export interface SinkResponse {
  status: number;
  /** The start of the body: at most SINK_RESPONSE_BODY_LIMIT bytes are kept. */
  body: Uint8Array;
  /** The `Retry-After` header as the sink sent it: seconds or an HTTP-date. */
  retryAfter?: string;
}

/** Bytes of a refusing sink's body kept for the dead letter (Knative's `knativeerrordata` limit). */
export const SINK_RESPONSE_BODY_LIMIT = 1024;

/** A sink that did not accept events. Retriable unless the sink said the events are bad. */
export class SinkError extends SpindleError {
  override name = 'SinkError';
  readonly sink: string;
  /** The sink's answer, when it gave one (an HTTP sink's status); undefined for a network failure or timeout. */
  readonly response: SinkResponse | undefined;

  constructor(
    sink: string,
    reason: string,
    options: { cause?: unknown; retriable?: boolean; response?: SinkResponse } = {},
  ) {
    super(`sink ${sink}: ${reason}`, { cause: options.cause, retriable: options.retriable ?? true });
    this.sink = sink;
    this.response = options.response;
  }
}

/** Input over one of `[application.limits]` (a batch too long, JSON too deep). Never retriable. */
export class LimitExceededError extends InvalidEventError {
  override name = 'LimitExceededError';
  /** What HTTP answers: 413 for too much, 400 for too deep. */
  readonly status: number;

  constructor(status: number, reason: string) {
    super(reason);
    this.status = status;
  }
}
