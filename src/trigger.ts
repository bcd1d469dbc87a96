/**
 * The common trigger interface: the one seam between transports and the core.
 *
 * A trigger adapter knows its transport (HTTP, Redis, Kafka, AMQP, a timer...); the core
 * knows components and delivery. Adapters receive a TriggerContext and call `dispatch`;
 * they never touch the runtime's internals, and the core never imports a broker client.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Limits } from './app/limits.ts';
import type { AppConfig } from './app/model.ts';
import type { TriggerTable } from './app/table.ts';
import type { Admission } from './delivery/admission.ts';
import type { CesqlFilter } from './delivery/cesql/index.ts';
import type { SpindleError } from './errors.ts';
import type { CloudEvent } from './event.ts';
import type { TriggerStatus } from './readiness.ts';
import type { Component, World } from './runtime/component.ts';

/** How the delay grows from one retry to the next (Knative's `backoffPolicy`). */
export type BackoffPolicy = 'exponential' | 'linear';

/**
 * How often and how patiently a failed event is tried again before it is dead-lettered:
 * Knative's delivery spec (`retry`, `backoffPolicy`, `backoffDelay`, `backoffMax`,
 * `timeout`, `retryAfterMax`) in spindle's terms.
 */
export interface RetryPolicy {
  /** Deliveries in all, the first included (1 = never retry). */
  attempts: number;
  /** Delay before the first retry. */
  backoffMs: number;
  /** Upper bound of one delay computed from the policy. */
  maxDelayMs: number;
  /** `exponential` (default): doubled at each further retry; `linear`: backoffMs times the retry number. */
  backoffPolicy?: BackoffPolicy;
  /** Longest wait for a sink to accept one send; the sink's own default when unset. */
  timeoutMs?: number;
  /**
   * Upper bound of a delay a sink asks for with `Retry-After` on 429 or 503. Unset: the
   * request is honoured whole (Knative's stable behaviour); 0: it is ignored.
   */
  retryAfterMaxMs?: number;
}

/** Knative-style attribute filter: every listed attribute must match. */
export interface EventFilter {
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
}

/**
 * One entry of a trigger's `filters` (Knative's new trigger filters, the CloudEvents
 * Subscriptions API dialects): exactly one dialect.
 */
export type SubscriptionsFilter =
  /** Every listed attribute is present and equals the value (case-sensitive). */
  | { readonly exact: Readonly<Record<string, string>> }
  /** Every listed attribute is present and starts with the value. */
  | { readonly prefix: Readonly<Record<string, string>> }
  /** Every listed attribute is present and ends with the value. */
  | { readonly suffix: Readonly<Record<string, string>> }
  /** Every nested filter matches (at least one is given). */
  | { readonly all: readonly SubscriptionsFilter[] }
  /** At least one nested filter matches. */
  | { readonly any: readonly SubscriptionsFilter[] }
  /** The nested filter does not match. */
  | { readonly not: SubscriptionsFilter }
  /** A CloudEvents SQL expression, parsed at load, that evaluates to TRUE without error. */
  | { readonly cesql: CesqlFilter };

/** Where an event goes: the component, then the sink; failures to the dead-letter sink. */
export interface Route {
  componentId: string;
  /** The manifest table it was opened for (e.g. `trigger.kafka[0]`): names it in metrics. */
  table?: string;
  /** Emitted events go here; without a sink they come back in the outcome as a reply. */
  sink?: EventSink;
  /** Events that cannot be processed go here, with the reason as extensions. */
  deadLetter?: EventSink;
  retry: RetryPolicy;
  filter?: EventFilter;
  /** Every entry must match, and `filter` too when both are given. */
  filters?: readonly SubscriptionsFilter[];
}

/**
 * What became of one event. A broker trigger acknowledges the message on every outcome
 * but `failed`; on `failed` it leaves the message in the broker (nack, no commit).
 */
export type Outcome =
  /** The filter did not select it: nothing to do. */
  | { kind: 'filtered' }
  /** The component succeeded and the sink accepted every emitted event. */
  | { kind: 'emitted'; events: CloudEvent[] }
  /**
   * The component succeeded and the route has no sink: the trigger answers with `events`.
   * Only a trigger that `replies` gets it (the others' routes always have a sink).
   */
  | { kind: 'reply'; events: CloudEvent[] }
  /** It could not be processed and the dead-letter sink accepted it. */
  | { kind: 'dead-lettered'; error: SpindleError }
  /** It could not be processed and there is no dead-letter sink (or it failed too). */
  | { kind: 'failed'; error: SpindleError };

/** A destination for events, named by URI: http(s)://, kafka://, redis://, amqp(s)://. */
export interface EventSink {
  readonly uri: string;
  /**
   * Resolves once the destination accepted every event (acked, confirmed, 2xx). `signal`
   * aborts when the route's `retry.timeout` ran out: stop waiting and reject.
   */
  send(events: CloudEvent[], options?: SendOptions): Promise<void>;
  /**
   * Send one event and resolve with the events the destination answered with, on a
   * transport that answers (HTTP: a CloudEvents target's reply; `[]` for none). Rejects
   * as `send` does. `spindle send` prints the answer; brokers leave this unset.
   */
  request?(event: CloudEvent, mode: 'binary' | 'structured'): Promise<CloudEvent[]>;
  close(): Promise<void>;
}

export interface SendOptions {
  signal?: AbortSignal;
}

/** Opens sinks by URI; the same URI opened twice shares one connection. */
export interface SinkFactory {
  open(uri: string): Promise<EventSink>;
}

/** Builds EventSinks for the URI schemes a transport owns. */
export interface SinkAdapter {
  readonly schemes: readonly string[];
  /**
   * Throw an error saying what is wrong with `uri`, without connecting (`spindle check`).
   * Unset: only the scheme is checked; `open` finds the rest.
   */
  check?(uri: URL): void;
  open(uri: URL, ctx: { logger: Logger }): Promise<EventSink>;
}

/**
 * What a codec made of one message: the event, or why it is not one with the original
 * bytes wrapped in `raw`, so that the dead-letter sink receives them intact.
 */
export type Decoded = { ok: true; event: CloudEvent } | { ok: false; error: SpindleError; raw: CloudEvent };

export interface DispatchAllOptions {
  /** Stop at the first `failed` outcome: the messages after it are left to the broker. */
  untilFailed?: boolean;
}

/** Answers one request with node:http's own objects. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** spindle's listener, for triggers that serve HTTP (the health route is already there). */
export interface HttpRoutes {
  /** Serve POST requests to `path` (case-insensitive, a trailing slash allowed, query aside). */
  post(path: string, handler: HttpHandler): void;
  /**
   * Offer every request no route above took to `handler`, in the order offered: it answers
   * and returns true, or returns false to leave the request to the next (404 at the end).
   */
  use(handler: (req: IncomingMessage, res: ServerResponse) => boolean): void;
  /**
   * Answer Spin's service-chaining requests to `http://<componentId>.spin.internal/...`
   * (outbound HTTP from the app's own components) with `handler`, in-process. The
   * listener never routes them: a private component is reachable this way only.
   */
  internal(componentId: string, handler: (request: Request) => Promise<Response>): void;
}

/** Fields every trigger understands: `component`, `sink`, `dead_letter`, `retry`, `filter`, `filters`. */
export interface RouteConfig {
  /** The manifest table it was read from (e.g. `trigger.redis[0]`), for errors. */
  table?: string;
  component: string;
  sink?: string;
  deadLetter?: string;
  retry?: Partial<RetryPolicy>;
  filter?: EventFilter;
  filters?: readonly SubscriptionsFilter[];
}

export interface TriggerContext {
  readonly app: AppConfig;
  readonly logger: Logger;
  /** Aborted when the app stops. */
  readonly signal: AbortSignal;
  /** spindle's HTTP listener, to mount routes on. */
  readonly http: HttpRoutes;
  /** `[application.limits]` in force; HTTP triggers read bodies with `readBody(req, limits)`. */
  readonly limits: Limits;
  /**
   * The app's cap on events in flight. `dispatch` and `dispatchAll` wait for room (a
   * broker trigger that awaits them fetches no more meanwhile); an HTTP trigger answers
   * 503 when it is `full`, and one that runs components itself holds `tryEnter`'s room.
   */
  readonly admission: Pick<Admission, 'full' | 'tryEnter' | 'limit'>;
  readonly sinks: SinkFactory;
  /**
   * Opens a route's sinks and fills in the default retry policy of this trigger type. On a
   * trigger that does not reply (`replies` unset), a route of a component that can emit
   * events must have a sink (or K_SINK): it is refused with a ManifestError otherwise.
   */
  route(config: RouteConfig, defaults?: Partial<RetryPolicy>): Promise<Route>;
  /** Filter, invoke the component, emit to the sink, retry with backoff, dead-letter. */
  dispatch(route: Route, event: CloudEvent): Promise<Outcome>;
  /**
   * `dispatch` for events of one ordered source, component calls in order and their
   * emitted events sent to the sink together (one round trip). Outcomes in `events` order;
   * with `untilFailed` they end at the first `failed` one (the rest was not tried).
   */
  dispatchAll(route: Route, events: readonly CloudEvent[], options?: DispatchAllOptions): Promise<Outcome[]>;
  /**
   * A codec's results for messages of one ordered source: runs of events through
   * `dispatchAll`, each message that did not decode to `reject` in its place, so that
   * order is kept. One outcome per message, in order (with `untilFailed`, up to the first
   * `failed`); an unexpected failure is a `failed` outcome, never a skipped message.
   */
  dispatchDecoded(route: Route, messages: readonly Decoded[], options?: DispatchAllOptions): Promise<Outcome[]>;
  /**
   * A message that is not a usable event (undecodable, say): to the dead-letter sink with
   * the reason, or `failed`. `event` wraps the original bytes so that nothing is lost.
   */
  reject(route: Route, event: CloudEvent, error: SpindleError): Promise<Outcome>;
  /**
   * Report the consumer lag of the trigger of `table` (its `RouteConfig.table`, e.g.
   * `trigger.kafka[0]`) on `destination` (a topic, stream or queue): `read` is called at
   * each scrape of the metrics (`spindle_consumer_lag`) and answers how many messages the
   * broker holds for this consumer that are not acknowledged yet, or undefined when it
   * cannot tell now (a rejection or no answer within 2 s counts as undefined). Nothing is
   * read with metrics off.
   */
  reportLag(table: string | undefined, destination: string, read: () => Promise<number | undefined>): void;
  /** A loaded component, for triggers that speak a world other than spindle:event. */
  component(id: string): Component;
  /**
   * `text` with URI passwords and secret variables masked, for what the adapter shows
   * outside the logger (HTTP bodies, banners): the logger and outcome errors are already.
   */
  redact(text: string): string;
  /**
   * Where the trigger reports each of its tables' readiness (by `config.table`), served on
   * `/.well-known/spindle/ready`: `notReady(table, 'connecting')` before connecting,
   * `ready(table, 'consuming')` once taking events, `notReady(table, 'reconnecting', error)`
   * when the connection drops. A table never reported on counts as ready once `start`
   * resolved, so a trigger that is ready when started (an HTTP route, a timer) need not
   * report at all.
   */
  readonly status: TriggerStatus;
}

export interface RunningTrigger {
  /** One line per endpoint for the start-up banner, e.g. `POST http://127.0.0.1:3000/ -> transform`. */
  describe?(baseUrl: URL): string[];
  /** Stop taking new events and finish (and acknowledge) those in flight. */
  drain(): Promise<void>;
  /** Release connections. Called after drain. */
  close(): Promise<void>;
}

export interface TriggerAdapter<C = unknown> {
  /** The manifest key: `[[trigger.<type>]]`. */
  readonly type: string;
  /**
   * Whether the trigger answers each message with the events emitted for it (an HTTP
   * reply): then a route without a sink is allowed and `dispatch` returns `reply`
   * outcomes. A broker trigger has nowhere to put them: leave it unset.
   */
  readonly replies?: boolean;
  /**
   * Validate one trigger table (with `[application.trigger.<type>]` defaults merged in).
   * Throw a ManifestError naming the file, the table and the field.
   */
  parseConfig(table: TriggerTable, app: AppConfig): C;
  /**
   * The worlds a component run by `config` may implement (any one of them). `spindle
   * check` compares them with each component's exports without starting the trigger;
   * unset, it leaves the question to `start`.
   */
  worlds?(config: C): readonly World[];
  start(ctx: TriggerContext, configs: C[]): Promise<RunningTrigger>;
}

/** A trigger or sink provider: what an adapter module's default export is. */
export interface Adapter {
  readonly triggers?: readonly TriggerAdapter<unknown>[];
  readonly sinks?: readonly SinkAdapter[];
}
