import type { Logger } from 'pino';
import { SinkError, SpindleError } from '../errors.ts';
import { type CloudEvent, withChanges } from '../event.ts';
import type { Component } from '../runtime/component.ts';
import type { EventSink, Outcome, Route } from '../trigger.ts';
import { deadLetterEvent } from './dead-letter.ts';
import { selects } from './filter.ts';
import { backoffDelay, pause } from './retry.ts';

export interface DispatcherOptions {
  component(id: string): Component;
  logger: Logger;
  /** Aborted at shutdown: pending backoffs end and the event is reported `failed`. */
  signal: AbortSignal;
  /** Extensions set on every emitted event (Knative's K_CE_OVERRIDES). */
  overrides?: Record<string, string>;
}

/**
 * Delivery of one event along a route: filter, invoke, emit, with retries and backoff for
 * retriable failures, and the dead-letter sink for the rest. It never drops an event: the
 * outcome tells the trigger whether it may acknowledge.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  async dispatch(route: Route, event: CloudEvent): Promise<Outcome> {
    if (!selects(route.filter, event)) return { kind: 'filtered' };
    const component = this.#options.component(route.componentId);
    let attempt = 0;
    let emitted: CloudEvent[] | undefined;
    for (;;) {
      attempt++;
      try {
        emitted ??= (await component.handle(event)).map((e) => this.#override(e));
        if (route.sink === undefined) return { kind: 'reply', events: emitted };
        if (emitted.length > 0) await sendTo(route.sink, emitted);
        return { kind: 'emitted', events: emitted };
      } catch (cause) {
        const error = asSpindleError(cause);
        const exhausted = !error.retriable || attempt >= route.retry.attempts;
        this.#options.logger.warn(
          { component: route.componentId, event: event.id, attempt, err: error.message },
          exhausted ? 'event failed' : 'event failed, will retry',
        );
        if (exhausted) return this.reject(route, event, error, attempt);
        // Shutting down: the retry was cut short, not exhausted. Leave the event with the
        // broker for redelivery rather than dead-letter it.
        if (!(await pause(backoffDelay(route.retry, attempt), this.#options.signal))) return { kind: 'failed', error };
      }
    }
  }

  /**
   * An event that cannot be processed: to the dead-letter sink with the reason, or
   * `failed` so that the trigger leaves it in the broker (or answers with an error).
   */
  async reject(route: Route, event: CloudEvent, error: SpindleError, attempts = 1): Promise<Outcome> {
    if (route.deadLetter === undefined) return { kind: 'failed', error };
    try {
      await sendTo(route.deadLetter, [deadLetterEvent(event, error, attempts)]);
      this.#options.logger.warn({ event: event.id, sink: route.deadLetter.uri, err: error.message }, 'dead-lettered');
      return { kind: 'dead-lettered', error };
    } catch (cause) {
      const failure = asSpindleError(cause);
      this.#options.logger.error({ event: event.id, err: failure.message }, 'dead-letter sink failed');
      return { kind: 'failed', error: new SpindleError(`${error.message}; then ${failure.message}`, { cause: error }) };
    }
  }

  #override(event: CloudEvent): CloudEvent {
    const overrides = this.#options.overrides;
    return overrides === undefined ? event : withChanges(event, { extensions: overrides });
  }
}

async function sendTo(sink: EventSink, events: CloudEvent[]): Promise<void> {
  try {
    await sink.send(events);
  } catch (cause) {
    throw cause instanceof SpindleError ? cause : new SinkError(sink.uri, errorText(cause), { cause });
  }
}

function asSpindleError(cause: unknown): SpindleError {
  if (cause instanceof SpindleError) return cause;
  // Anything else escaped the runtime unexpectedly: treat it as transient, keep the cause.
  return new SpindleError(errorText(cause), { cause, retriable: true });
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
