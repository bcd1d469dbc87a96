/**
 * spindle's adapter entry (`spindle/adapter`): everything a trigger or sink adapter needs,
 * and nothing else. The built-in adapters in `adapters/` import the core only from here,
 * as a third-party adapter does, so this file is the whole contract between transports
 * and the core.
 *
 * ## What a trigger adapter must guarantee
 *
 * A {@link TriggerAdapter} is the default export of its module (or one of the `triggers`
 * of an {@link Adapter}). The core calls `parseConfig` once per `[[trigger.<type>]]`
 * table, then `start` once with all of them.
 *
 * - **Validate in `parseConfig`, fail at start-up.** Read fields with the
 *   {@link TriggerTable} accessors (their errors name the file, the table and the field)
 *   and the shared ones with {@link parseRouteConfig}. For the rest, `table.report(field,
 *   why)` a bad value the other fields can be read without, and `throw table.error(field,
 *   why)` when reading cannot go on. The core collects every problem of every table (an
 *   optional field with a bad value reads as undefined meanwhile), rejects fields nobody
 *   read, and fails once, naming them all. `start` rejects (a
 *   {@link ManifestError} when a table is at fault) rather than serve half an app, and
 *   releases what it opened before rejecting.
 * - **Deliver through the context only.** Open each route with `ctx.route(config)` (it
 *   opens the sinks, fills in the retry policy, and refuses a route whose emitted events
 *   would have nowhere to go); hand events to `ctx.dispatch`, `ctx.dispatchAll`, or, with
 *   the results of a codec, `ctx.dispatchDecoded`. Never drop a message because it does
 *   not decode: `dispatchDecoded` (or `ctx.reject`) dead-letters it with its bytes.
 * - **Acknowledge by the outcome.** Every {@link Outcome} but `failed` means the message
 *   may be acknowledged (committed, acked, XACKed, answered 2xx). `failed` means it must
 *   stay with its sender (not committed, nacked or requeued, left pending, answered 5xx
 *   or 4xx): nothing is lost silently. A `reply` outcome only reaches a trigger that
 *   declared `replies: true` and answers with those events.
 * - **Keep order where the transport promises it** (one partition, one stream): await
 *   one message's outcome before the next, or pass them in order to `dispatchAll`.
 * - **Drain, then close.** `drain()` stops taking new messages and resolves once those
 *   in flight were settled ({@link InFlight} counts them); `close()` releases
 *   connections. Both are called once, at stop; `ctx.signal` aborts first. Wait with
 *   {@link pause}, not a bare timer, so that a stop cuts the wait short.
 * - **Report readiness.** The listener answers the health route before `start` is
 *   called, and an app is probed while it runs and after. Say per table, on `ctx.status`, whether
 *   it is taking events (`ready`) or what it waits for (`notReady` with the state and the
 *   last error): connecting, joining a group, reconnecting. The readiness route and
 *   `RunningApp.readiness()` show it. A table never reported on is ready once `start`
 *   resolved.
 * - **No client, broker or guest may crash the process.** Catch what a connection or a
 *   request can throw, log it on `ctx.logger`, and keep serving; retry connections with
 *   {@link backoffDelay}.
 * - **Report lag where the broker tells it.** A consumer whose broker knows how much
 *   work is left to it (a group's uncommitted records, a queue's depth) registers a reader
 *   with `ctx.reportLag`; it is read at each scrape of the metrics, never in between.
 * - **Show no secret.** The core's logger and the errors of outcomes are redacted
 *   already; pass any other text you show (an HTTP body, a banner line) through
 *   `ctx.redact`, and name a connection by {@link redactUrl} of its URI.
 *
 * ## What a sink adapter must guarantee
 *
 * A {@link SinkAdapter} owns URI schemes; `open(url)` returns an {@link EventSink} whose
 * `send` resolves only once the destination accepted every event (acked, confirmed,
 * 2xx), in order, and rejects with a {@link SinkError} (`retriable` unless the
 * destination refused the events themselves) otherwise. Its `uri` is shown in logs and
 * errors: give it {@link redactUrl} of the URI.
 */

// First: the shim's I/O thread starts only when a guest needs it (runtime/deferred-io-worker.ts).
import './runtime/preview2-shim.ts';

export { DEFAULT_LIMITS, type Limits, limitText } from './app/limits.ts';
export type { AppConfig, ComponentConfig, VariableDecl } from './app/model.ts';
export { parseRouteConfig } from './app/route-config.ts';
export { isTable, kind, TriggerTable } from './app/table.ts';
export { CesqlFilter, CesqlParseError } from './delivery/cesql/index.ts';
export { InFlight } from './delivery/in-flight.ts';
export { hasPartitionKey, partitionKeyExtension, partitionKeyOf } from './delivery/partition-key.ts';
export { type Backoff, backoffDelay, pause, retryAfterMs } from './delivery/retry.ts';
export type { ComponentFailure } from './errors.ts';
export {
  ComponentError,
  InvalidEventError,
  LimitExceededError,
  ManifestError,
  SINK_RESPONSE_BODY_LIMIT,
  SinkError,
  type SinkResponse,
  SpindleError,
} from './errors.ts';
export {
  attributes,
  type CloudEvent,
  CONTEXT_ATTRIBUTES,
  decodeUtf8,
  forbiddenCharacter,
  fromAttributes,
  fromStructured,
  isAttributeName,
  isJsonType,
  MAX_TIME_MS,
  timeFromMillis,
  toStructured,
  utf8,
  violations,
  withChanges,
} from './event.ts';
export { readBody } from './host/body.ts';
export { HttpRefusal } from './host/http-refusal.ts';
export { busyRefusal, holdingRoom, serveSafely } from './host/serve-safely.ts';
export { jsonDepthExceeding, parseJsonWithin } from './json-depth.ts';
export type { Logger } from './log.ts';
export type { TriggerStatus } from './readiness.ts';
export { redactUrl } from './redact.ts';
export type { Component, ComponentLimits, GuestExports, World } from './runtime/component.ts';
export { type GuestCall, type GuestCallRef, guestCallRef, returnedErr } from './runtime/guest-call.ts';
export { type GuestOutput, guestLog, LineBuffer, OutputBudget } from './runtime/guest-output.ts';
export type { WasmModule } from './runtime/wasm.ts';
export type {
  Adapter,
  BackoffPolicy,
  Decoded,
  DispatchAllOptions,
  EventFilter,
  EventSink,
  HttpHandler,
  HttpRoutes,
  Outcome,
  RetryPolicy,
  Route,
  RouteConfig,
  RunningTrigger,
  SendOptions,
  SinkAdapter,
  SinkFactory,
  SubscriptionsFilter,
  TriggerAdapter,
  TriggerContext,
} from './trigger.ts';
