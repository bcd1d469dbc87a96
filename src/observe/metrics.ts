/**
 * spindle's Prometheus metrics: every instrument, in one registry per app. Names follow
 * the OpenTelemetry messaging semantic conventions as Prometheus spells them
 * (`messaging.process.duration` -> `messaging_process_duration_seconds`) where the
 * conventions define one; what they do not define is `spindle_*`. Labels are bounded:
 * trigger tables, component ids, sink URIs and failure kinds from the manifest and the
 * core, never an event's id or type.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { failureKind } from '../delivery/dead-letter.ts';
import { SpindleError } from '../errors.ts';
import type { Component, PoolLoad } from '../runtime/component.ts';
import type { EventSink, Outcome, Route } from '../trigger.ts';

/** Reads how many messages the broker still holds for a consumer; undefined when it cannot tell now. */
export type LagReader = () => Promise<number | undefined>;

/** OpenTelemetry's advice for messaging durations, with sub-millisecond buckets for guests. */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30];

/** A lag read that does not answer within this is left out of the scrape. */
const LAG_TIMEOUT_MS = 2000;

type RouteLabel = 'trigger' | 'component';

/** A route's counters and histograms, bound to its labels. */
interface RouteSeries {
  consumed: Counter.Internal;
  emitted: Counter.Internal;
  outcome(outcome: string): { count: Counter.Internal; duration: Histogram.Internal<RouteLabel | 'outcome'> };
}

/**
 * The metrics of one app: delivery reports events to `received` and `retrying`, and the
 * engine wraps components and sinks (`component`, `sink`) so that their calls are timed.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #redact: (text: string) => string;
  readonly #consumed: Counter<RouteLabel>;
  readonly #outcomes: Counter<RouteLabel | 'outcome'>;
  readonly #emitted: Counter<RouteLabel>;
  readonly #retries: Counter<RouteLabel | 'error_type'>;
  readonly #endToEnd: Histogram<RouteLabel | 'outcome'>;
  readonly #process: Histogram<'component' | 'error_type'>;
  readonly #send: Histogram<'sink' | 'messaging_operation_name' | 'error_type'>;
  readonly #sent: Counter<'sink' | 'error_type'>;
  readonly #routes = new WeakMap<Route, RouteSeries>();
  readonly #pools = new Map<string, () => PoolLoad | undefined>();
  readonly #lags: { trigger: string; destination: string; read: LagReader }[] = [];

  /** `redact` masks secrets in sink URIs before they become label values. */
  constructor(redact: (text: string) => string = (text) => text) {
    this.#redact = redact;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const route: RouteLabel[] = ['trigger', 'component'];
    this.#consumed = new Counter({
      name: 'messaging_client_consumed_messages_total',
      help: 'Events a trigger received and handed to delivery.',
      labelNames: route,
      registers,
    });
    this.#outcomes = new Counter({
      name: 'spindle_event_outcomes_total',
      help: 'What became of received events: processed, filtered, dead_lettered or failed.',
      labelNames: [...route, 'outcome'],
      registers,
    });
    this.#emitted = new Counter({
      name: 'spindle_events_emitted_total',
      help: 'Events components returned for processed events (sent to the sink or replied).',
      labelNames: route,
      registers,
    });
    this.#retries = new Counter({
      name: 'spindle_event_retries_total',
      help: 'Deliveries of an event tried again after a retriable failure.',
      labelNames: [...route, 'error_type'],
      registers,
    });
    this.#endToEnd = new Histogram({
      name: 'spindle_event_duration_seconds',
      help: 'From receipt of an event to its outcome, which lets the trigger acknowledge it.',
      labelNames: [...route, 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.#process = new Histogram({
      name: 'messaging_process_duration_seconds',
      help: 'One invocation of a component handler.',
      labelNames: ['component', 'error_type'],
      buckets: SECONDS,
      registers,
    });
    this.#send = new Histogram({
      name: 'messaging_client_operation_duration_seconds',
      help: 'One send of events to a sink, until it accepted them or failed.',
      labelNames: ['sink', 'messaging_operation_name', 'error_type'],
      buckets: SECONDS,
      registers,
    });
    this.#sent = new Counter({
      name: 'messaging_client_sent_messages_total',
      help: 'Events sent to a sink (error_type set when the send failed).',
      labelNames: ['sink', 'error_type'],
      registers,
    });
    this.#poolGauges();
    this.#lagGauge();
  }

  /**
   * An event handed to delivery on `route`: counts it, and returns what to call with its
   * outcome (or undefined when it was never tried: a batch that stopped at a failure).
   */
  received(route: Route): (outcome: Outcome | undefined) => void {
    const series = this.#routeSeries(route);
    const start = performance.now();
    series.consumed.inc();
    return (outcome) => {
      if (outcome === undefined) return;
      const ended = series.outcome(outcomeName(outcome));
      ended.count.inc();
      ended.duration.observe((performance.now() - start) / 1000);
      if (outcome.kind === 'emitted' || outcome.kind === 'reply') series.emitted.inc(outcome.events.length);
    };
  }

  /** A retriable failure on `route` that is about to be tried again. */
  retrying(route: Route, error: SpindleError): void {
    this.#retries.inc({ ...routeLabels(route), error_type: failureKind(error) });
  }

  /** `component` with each handler invocation timed, and its pool's load reported. */
  component(component: Component): Component {
    this.#pools.set(component.id, () => component.load?.());
    const succeeded = this.#process.labels({ component: component.id });
    const timed = async (event: Parameters<Component['handle']>[0]) => {
      const start = performance.now();
      const seconds = () => (performance.now() - start) / 1000;
      try {
        const emitted = await component.handle(event);
        succeeded.observe(seconds());
        return emitted;
      } catch (error) {
        this.#process.observe({ component: component.id, error_type: errorType(error) }, seconds());
        throw error;
      }
    };
    // Everything else of the component as it is, through the prototype.
    return Object.assign(Object.create(component) as Component, { handle: timed });
  }

  /** `sink` with each send timed and its events counted, failures by kind. */
  sink(sink: EventSink): EventSink {
    const label = this.#redact(sink.uri);
    const took = this.#send.labels({ sink: label, messaging_operation_name: 'send' });
    const sent = this.#sent.labels({ sink: label });
    const send = async (events: Parameters<EventSink['send']>[0]) => {
      const start = performance.now();
      const seconds = () => (performance.now() - start) / 1000;
      try {
        await sink.send(events);
        took.observe(seconds());
        sent.inc(events.length);
      } catch (error) {
        const error_type = errorType(error);
        this.#send.observe({ sink: label, messaging_operation_name: 'send', error_type }, seconds());
        this.#sent.inc({ sink: label, error_type }, events.length);
        throw error;
      }
    };
    return { uri: sink.uri, send, close: () => sink.close() };
  }

  /** Read the lag of the consumer of trigger `table` on `destination` (topic, stream, queue) at each scrape. */
  lag(table: string, destination: string, read: LagReader): void {
    this.#lags.push({ trigger: triggerLabel(table), destination, read });
  }

  /** The series of `route`, bound to its labels once: prom-client hashes labels at each unbound call. */
  #routeSeries(route: Route): RouteSeries {
    let series = this.#routes.get(route);
    if (series === undefined) {
      const labels = routeLabels(route);
      const outcomes = new Map<string, ReturnType<RouteSeries['outcome']>>();
      series = {
        consumed: this.#consumed.labels(labels),
        emitted: this.#emitted.labels(labels),
        outcome: (outcome) => {
          let bound = outcomes.get(outcome);
          if (bound === undefined) {
            const named = { ...labels, outcome };
            bound = { count: this.#outcomes.labels(named), duration: this.#endToEnd.labels(named) };
            outcomes.set(outcome, bound);
          }
          return bound;
        },
      };
      this.#routes.set(route, series);
    }
    return series;
  }

  #poolGauges(): void {
    const pools = this.#pools;
    new Gauge({
      name: 'spindle_workers',
      help: "Workers (or instances, on the main thread) of a component's pool, by state: busy or idle.",
      labelNames: ['component', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [component, read] of pools) {
          const load = read();
          if (load === undefined) continue;
          this.set({ component, state: 'busy' }, load.busy);
          this.set({ component, state: 'idle' }, load.idle);
        }
      },
    });
    new Gauge({
      name: 'spindle_events_waiting',
      help: 'Events waiting for a worker (or an instance) of a component.',
      labelNames: ['component'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [component, read] of pools) {
          const load = read();
          if (load !== undefined) this.set({ component }, load.waiting);
        }
      },
    });
  }

  #lagGauge(): void {
    const lags = this.#lags;
    new Gauge({
      name: 'spindle_consumer_lag',
      help: "Messages the broker holds for a trigger's consumer that are not yet acknowledged.",
      labelNames: ['trigger', 'destination'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const values = await Promise.all(lags.map((lag) => withinTimeout(lag.read())));
        lags.forEach(({ trigger, destination }, index) => {
          const value = values[index];
          if (value !== undefined) this.set({ trigger, destination }, value);
        });
      },
    });
  }
}

/** A route's labels: its manifest table without the `trigger.` prefix (`kafka[0]`), and its component. */
function routeLabels(route: Route): { trigger: string; component: string } {
  return { trigger: triggerLabel(route.table), component: route.componentId };
}

/** `kafka[0]` for the table `trigger.kafka[0]`. */
export function triggerLabel(table: string | undefined): string {
  return (table ?? 'unknown').replace(/^trigger\./, '');
}

function outcomeName(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'emitted':
    case 'reply':
      return 'processed';
    case 'dead-lettered':
      return 'dead_lettered';
    default:
      return outcome.kind;
  }
}

/** invalid, retry, trap, sink, undecodable, or error: the dead-letter kinds. */
function errorType(error: unknown): string {
  return error instanceof SpindleError ? failureKind(error) : 'error';
}

async function withinTimeout(read: Promise<number | undefined>): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), LAG_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
