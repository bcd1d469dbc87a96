import type { Logger } from 'pino';
import { SinkError, SpindleError } from '../errors.ts';
import { type CloudEvent, withChanges } from '../event.ts';
import type { Tracing } from '../observe/tracing.ts';
import { Redactor } from '../redact.ts';
import type { Component } from '../runtime/component.ts';
import type { Decoded, DispatchAllOptions, EventSink, Outcome, RetryPolicy, Route } from '../trigger.ts';
import { deadLetterEvent } from './dead-letter.ts';
import { admits } from './filter.ts';
import { inheritPartitionKey } from './partition-key.ts';
import { pause, retryDelay } from './retry.ts';

export interface DispatcherOptions {
  component(id: string): Component;
  logger: Logger;
  /** Aborted at shutdown: pending backoffs end and the event is reported `failed`. */
  signal: AbortSignal;
  /** Extensions set on every emitted event (Knative's K_CE_OVERRIDES). */
  overrides?: Record<string, string>;
  /**
   * Masks secrets in the errors of outcomes and dead letters: they are shown outside (HTTP
   * answers, dead-letter reasons, logs of the triggers). Default: URI passwords only.
   */
  redactor?: Redactor;
  /** Spans around each component call; the events emitted carry their context. */
  tracing?: Tracing;
  /** Told of each retriable failure about to be tried again (metrics count them). */
  retrying?(route: Route, error: SpindleError): void;
}

/**
 * Delivery of one event along a route: filter, invoke, emit, with retries and backoff for
 * retriable failures, and the dead-letter sink for the rest. It never drops an event: the
 * outcome tells the trigger whether it may acknowledge.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #redactor: Redactor;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#redactor = options.redactor ?? new Redactor();
  }

  async dispatch(route: Route, event: CloudEvent): Promise<Outcome> {
    if (!admits(route, event)) return { kind: 'filtered' };
    return this.#deliver(route, event);
  }

  /**
   * Several events of one ordered source (a Redis stream read, a Kafka partition's
   * records): each component call in order, then every emitted event in one `sink.send`,
   * in order, so that the sink's round trip is paid once per batch instead of once per
   * event. An event whose component fails first has the events before it sent, then goes
   * the usual way (retries, dead-letter), so the sink still sees them in order. If the
   * batch send fails, each event is sent again on its own, in order, with the usual
   * retries: duplicates are possible (at least once), losses and early outcomes are not.
   * Outcomes come back in the order of `events`; with `untilFailed`, they end at the
   * first `failed` one and the events after it are not tried (Kafka: nothing passes a
   * record that is held back).
   */
  async dispatchAll(route: Route, events: readonly CloudEvent[], options: DispatchAllOptions = {}): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const sink = route.sink;
    const stop = (outcome: Outcome) => options.untilFailed === true && outcome.kind === 'failed';
    if (sink === undefined || events.length < 2) {
      for (const event of events) {
        const outcome = await this.dispatch(route, event);
        outcomes.push(outcome);
        if (stop(outcome)) break;
      }
      return outcomes;
    }
    const component = this.#options.component(route.componentId);
    let held: { event: CloudEvent; emitted: CloudEvent[] }[] = [];
    /** Sends the held events; false if one of them failed and `untilFailed` says stop. */
    const flush = async (): Promise<boolean> => {
      const batch = held;
      held = [];
      try {
        const emitted = batch.flatMap((h) => h.emitted);
        if (emitted.length > 0) await sendTo(sink, emitted, route.retry);
        for (const h of batch) outcomes.push({ kind: 'emitted', events: h.emitted });
        return true;
      } catch {
        // The batch's failure is one event's, or none's (a sink that was down): each event is
        // judged by its own send, so that one refused event never dead-letters the others.
        for (const h of batch) {
          const outcome = await this.#deliver(route, h.event, { emitted: h.emitted });
          outcomes.push(outcome);
          if (stop(outcome)) return false;
        }
        return true;
      }
    };
    for (const event of events) {
      if (!admits(route, event)) {
        // Outcomes are positional: the held events are sent (and their outcomes pushed) first.
        if (!(await flush())) return outcomes;
        outcomes.push({ kind: 'filtered' });
        continue;
      }
      let emitted: CloudEvent[];
      try {
        emitted = await this.#invoke(component, event);
      } catch (cause) {
        if (!(await flush())) return outcomes;
        const outcome = await this.#deliver(route, event, { cause });
        outcomes.push(outcome);
        if (stop(outcome)) return outcomes;
        continue;
      }
      held.push({ event, emitted });
    }
    await flush();
    return outcomes;
  }

  /**
   * A codec's results for messages of one ordered source: runs of decoded events through
   * `dispatchAll`, undecodable messages rejected in their place. One outcome per message
   * (up to the first `failed` with `untilFailed`); an unexpected throw is a `failed`
   * outcome for the message it happened on and those after it, never a skip.
   */
  async dispatchDecoded(
    route: Route,
    messages: readonly Decoded[],
    options: DispatchAllOptions = {},
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let run: CloudEvent[] = [];
    /** False once an outcome failed and `untilFailed` says stop. */
    const flush = async (): Promise<boolean> => {
      const events = run;
      run = [];
      if (events.length === 0) return true;
      const done = await this.dispatchAll(route, events, options);
      outcomes.push(...done);
      return !(options.untilFailed === true && (done.length < events.length || done.at(-1)?.kind === 'failed'));
    };
    try {
      for (const message of messages) {
        if (message.ok) {
          run.push(message.event);
          continue;
        }
        if (!(await flush())) return outcomes;
        const outcome = await this.reject(route, message.raw, message.error);
        outcomes.push(outcome);
        if (options.untilFailed === true && outcome.kind === 'failed') return outcomes;
      }
      await flush();
    } catch (cause) {
      // dispatch and reject report failures as outcomes: this is a bug, but never a skip.
      const error = this.#shown(new SpindleError(`unexpected: ${errorText(cause)}`, { cause, retriable: true }));
      this.#options.logger.error({ component: route.componentId, err: error }, 'unexpected failure in delivery');
      const failed: Outcome = { kind: 'failed', error };
      if (options.untilFailed === true) outcomes.push(failed);
      else while (outcomes.length < messages.length) outcomes.push(failed);
    }
    return outcomes;
  }

  /**
   * Invoke and emit with retries. `first` comes from dispatchAll: the events the component
   * already emitted (sent again, not invoked again), or the failure of an attempt it made.
   */
  async #deliver(
    route: Route,
    event: CloudEvent,
    first?: { emitted: CloudEvent[] } | { cause: unknown },
  ): Promise<Outcome> {
    const component = this.#options.component(route.componentId);
    let attempt = 0;
    let emitted = first !== undefined && 'emitted' in first ? first.emitted : undefined;
    let failure = first !== undefined && 'cause' in first ? first : undefined;
    for (;;) {
      attempt++;
      try {
        if (failure !== undefined) throw failure.cause;
        emitted ??= await this.#invoke(component, event);
        if (route.sink === undefined) return { kind: 'reply', events: emitted };
        if (emitted.length > 0) await sendTo(route.sink, emitted, route.retry);
        return { kind: 'emitted', events: emitted };
      } catch (cause) {
        failure = undefined;
        const error = this.#shown(asSpindleError(cause));
        const exhausted = !error.retriable || attempt >= route.retry.attempts;
        this.#options.logger.warn(
          { component: route.componentId, event: event.id, attempt, err: error.message },
          exhausted ? 'event failed' : 'event failed, will retry',
        );
        if (exhausted) return this.reject(route, event, error, attempt);
        this.#options.retrying?.(route, error);
        // Shutting down: the retry was cut short, not exhausted. Leave the event with the
        // broker for redelivery rather than dead-letter it.
        if (!(await pause(retryDelay(route.retry, attempt, error), this.#options.signal)))
          return { kind: 'failed', error };
      }
    }
  }

  /**
   * An event that cannot be processed: to the dead-letter sink with the reason, or
   * `failed` so that the trigger leaves it in the broker (or answers with an error).
   */
  async reject(route: Route, event: CloudEvent, cause: SpindleError, attempts = 1): Promise<Outcome> {
    const error = this.#shown(cause);
    if (route.deadLetter === undefined) return { kind: 'failed', error };
    try {
      const letter = deadLetterEvent(event, error, attempts);
      await sendTo(route.deadLetter, [this.#options.tracing?.deadLetter(event, letter) ?? letter], route.retry);
      this.#options.logger.warn({ event: event.id, sink: route.deadLetter.uri, err: error.message }, 'dead-lettered');
      return { kind: 'dead-lettered', error };
    } catch (cause) {
      const failure = this.#shown(asSpindleError(cause));
      this.#options.logger.error({ event: event.id, err: failure.message }, 'dead-letter sink failed');
      return { kind: 'failed', error: new SpindleError(`${error.message}; then ${failure.message}`, { cause: error }) };
    }
  }

  /** The error as it may be shown: an outcome's error reaches HTTP answers and dead letters. */
  #shown(error: SpindleError): SpindleError {
    return this.#redactor.error(error);
  }

  /**
   * The component's events for `event`, with their trace context, the input's partition
   * key unless they name one, and K_CE_OVERRIDES (which win).
   */
  async #invoke(component: Component, event: CloudEvent): Promise<CloudEvent[]> {
    const tracing = this.#options.tracing;
    const handle = () => component.handle(event);
    const emitted = await (tracing === undefined ? handle() : tracing.invoke(component.id, event, handle));
    return emitted.map((e) => this.#override(inheritPartitionKey(event, e)));
  }

  #override(event: CloudEvent): CloudEvent {
    const overrides = this.#options.overrides;
    return overrides === undefined ? event : withChanges(event, { extensions: overrides });
  }
}

/**
 * One send, bounded by the route's `retry.timeout` (Knative's per-request timeout): the
 * sink is told through the signal, and a sink that does not listen is not waited for.
 */
async function sendTo(sink: EventSink, events: CloudEvent[], retry: RetryPolicy): Promise<void> {
  const timeoutMs = retry.timeoutMs;
  const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  try {
    if (signal === undefined) return await sink.send(events);
    const timedOut = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    const sent = sink.send(events, { signal });
    sent.catch(() => {}); // once timed out, its later rejection has no one to tell
    await Promise.race([sent, timedOut]);
  } catch (cause) {
    if (signal?.aborted === true) {
      throw new SinkError(sink.uri, `no answer within ${timeoutMs} ms (retry.timeout)`, { cause });
    }
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
