import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AdapterRegistry } from './adapters.ts';
import { resolveAllowedHosts } from './app/allowed-outbound-hosts.ts';
import { type Limits, withDefaults } from './app/limits.ts';
import type { AppConfig } from './app/model.ts';
import { ManifestProblems } from './app/problems.ts';
import { createVariables } from './app/variables.ts';
import { Admission } from './delivery/admission.ts';
import { Dispatcher } from './delivery/dispatcher.ts';
import { parseCeOverrides } from './delivery/overrides.ts';
import { retryPolicy } from './delivery/retry.ts';
import { SinkPool } from './delivery/sinks.ts';
import { ManifestError, SpindleError } from './errors.ts';
import type { CloudEvent } from './event.ts';
import { checkEventInput, type EventInput } from './event-input.ts';
import { HttpHost, type ListenOptions, METRICS_ROUTE } from './host/server.ts';
import { redactingLogger, silentLogger } from './log.ts';
import { Metrics } from './observe/metrics.ts';
import { observedDispatch } from './observe/observed-dispatch.ts';
import { tracedDispatch } from './observe/traced-dispatch.ts';
import { startTracing } from './observe/tracing.ts';
import { type AppReadiness, Readiness } from './readiness.ts';
import { Redactor } from './redact.ts';
import { chooseCacheDir } from './runtime/cache-dir.ts';
import { collectGarbage } from './runtime/collect-garbage.ts';
import type { Component } from './runtime/component.ts';
import { loadComponent } from './runtime/load.ts';
import { selfListening, selfOrigin } from './runtime/self-origin.ts';
import type { Adapter, Route, RouteConfig, RunningTrigger, TriggerAdapter, TriggerContext } from './trigger.ts';
import { parseTriggerTables } from './trigger-tables.ts';

export interface StartOptions {
  /** Where to listen for HTTP triggers and the health route. Default 127.0.0.1:3000. */
  listen?: ListenOptions;
  /** `--variable name=value` overrides. */
  variables?: Record<string, string>;
  /** Environment for SPIN_VARIABLE_*, K_SINK and K_CE_OVERRIDES. Default process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Where transpiled components are cached. Default `SPINDLE_CACHE_DIR`, else `<app dir>/.spindle/cache` (see cache-dir.ts). */
  cacheDir?: string;
  /** Trigger and sink adapters given in code (embedding); they take precedence over modules. */
  adapters?: Adapter[];
  /** Limits over the manifest's `[application.limits]` (and the defaults). */
  limits?: Partial<Limits>;
  /**
   * Prometheus metrics, on by default: served on `GET /metrics` of the listener, or with
   * `{ listen }` on a listener of their own (then not on the main one). `false` collects
   * none.
   */
  metrics?: boolean | { listen: ListenOptions };
}

export interface RunningApp {
  readonly app: AppConfig;
  /** Base URL of the listener. */
  readonly url: URL;
  /** One line per endpoint (e.g. `POST http://127.0.0.1:3000/ -> transform`). */
  readonly endpoints: string[];
  /** The registry of the app's metrics (`await metrics.metrics()` is the Prometheus text); undefined when off. */
  readonly metrics?: Registry;
  /** Where `GET /metrics` is served: the listener's, or the one of `metrics.listen`; undefined when off. */
  readonly metricsUrl?: URL;
  /**
   * Invoke a component's spindle:event handler directly. `extensions` may be left out;
   * an event that does not fit the record rejects with an InvalidEventError naming the field.
   */
  invoke(componentId: string, event: EventInput): Promise<CloudEvent[]>;
  /**
   * Spin's service chaining: answer a request to `http://<component-id>.spin.internal/...`
   * with that HTTP component, in-process (private components included). Rejects with a
   * SpindleError for another URL or a component no HTTP trigger serves.
   */
  fetchInternal(request: Request): Promise<Response>;
  /**
   * Whether every trigger table is connected and taking events, and each one's state (what
   * `/.well-known/spindle/ready` answers with).
   */
  readiness(): AppReadiness;
  /** Stop taking new events, finish those in flight, release everything. */
  stop(): Promise<void>;
}

/**
 * Load every component, listen (the health and readiness routes answer from here on), then
 * start every trigger: the app is running. Resolves once every trigger's `start` did.
 */
export async function startApp(app: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const env = options.env ?? process.env;
  const variables = createVariables(app, { overrides: options.variables ?? {}, env });
  // From here on every line logged, every error shown and every dead letter is redacted.
  const redactor = new Redactor(variables.secrets);
  const logger = redactingLogger(options.logger ?? silentLogger(), redactor);
  const overrides = parseCeOverrides(env.K_CE_OVERRIDES);
  const cacheDir = options.cacheDir ?? (await chooseCacheDir(app.dir, env));
  const abort = new AbortController();
  const adapters = new AdapterRegistry(app.triggerModules, options.adapters);
  const tracing = await startTracing(env, (text) => redactor.text(text));
  const metrics = options.metrics === false ? undefined : new Metrics((text) => redactor.text(text));
  const sinks = new SinkPool(adapters, logger, { tracing, ...(metrics ? { metrics } : {}) });
  const limits = withDefaults(app.limits, options.limits);
  const admission = new Admission(limits.maxEventsInFlight);
  const listen = options.listen ?? { host: '127.0.0.1', port: 3000 };
  // Requests of guests to the app itself (Spin's `self`, service chaining) go to this listener.
  const self = selfOrigin(listen.host, listen.tls !== undefined);
  const metricsApart = typeof options.metrics === 'object' ? options.metrics.listen : undefined;
  const readiness = new Readiness(redactor);
  const host = new HttpHost({
    limits,
    logger,
    chainToken: self.chainToken,
    metrics: metricsApart ? undefined : metrics?.registry,
    readiness: () => readiness.snapshot(),
  });
  const metricsHost = metricsApart && new HttpHost({ limits, logger, metrics: metrics?.registry });
  const components = new Map<string, Component>();
  const running: RunningTrigger[] = [];

  const stop = async () => {
    readiness.stopping();
    abort.abort();
    await Promise.allSettled([host.close(), metricsHost?.close(), ...running.map((t) => t.drain())]);
    await Promise.allSettled(running.map((t) => t.close()));
    await sinks.closeAll();
    await Promise.allSettled([...components.values()].map((c) => c.close()));
    await tracing.shutdown().catch((err) => logger.warn({ err }, 'exporting the last spans failed'));
  };

  try {
    // The trigger tables first: a manifest with problems fails, naming all of them, before
    // any component loads or anything listens.
    const problems = new ManifestProblems();
    const triggers = await parseTriggerTables(app, adapters, variables, problems);
    problems.throwIfAny();
    const loaded = await Promise.all(
      Object.values(app.components).map((config) =>
        loadComponent(config, {
          cacheDir,
          logger,
          variables: variables.component(config.id),
          outbound: {
            allowedHosts: resolveAllowedHosts(app.file, config.id, config.allowedOutboundHosts, variables.expand),
            self,
          },
        }),
      ),
    );
    for (const component of loaded) components.set(component.id, metrics?.component(component) ?? component);
    const component = (id: string): Component => {
      const found = components.get(id);
      if (found === undefined) throw new SpindleError(`no component '${id}' in app ${app.name}`);
      return found;
    };

    const retrying = metrics && ((route: Route, error: SpindleError) => metrics.retrying(route, error));
    const dispatcher = new Dispatcher({
      component,
      logger,
      signal: abort.signal,
      overrides,
      redactor,
      tracing,
      ...(retrying ? { retrying } : {}),
    });
    const contextOf = (
      adapter: TriggerAdapter<unknown>,
      delivery = observedDispatch(tracedDispatch(tracing, adapter.type, dispatcher), { metrics, logger }),
    ): TriggerContext => ({
      app,
      logger: logger.child({ trigger: adapter.type }),
      signal: abort.signal,
      http: host.routes,
      limits,
      admission,
      sinks,
      component,
      dispatch: (route, event) => admission.run(1, () => delivery.dispatch(route, event)),
      dispatchAll: (route, events, options) =>
        admission.run(events.length, () => delivery.dispatchAll(route, events, options)),
      dispatchDecoded: (route, messages, options) =>
        admission.run(messages.length, () => delivery.dispatchDecoded(route, messages, options)),
      reject: (route, event, error) => delivery.reject(route, event, error),
      reportLag: (table, destination, read) => metrics?.lag(table ?? `trigger.${adapter.type}`, destination, read),
      route: async (config: RouteConfig, defaults) => {
        const route = await openRoute(app.file, config, defaults, sinks, env);
        route.table ??= `trigger.${adapter.type}`;
        checkEmittedEventsHaveSink(app.file, adapter, component(config.component), config, route.sink !== undefined);
        return route;
      },
      redact: (text) => redactor.text(text),
      status: readiness,
    });

    // Listen before triggers connect: liveness answers while a broker is slow or a Kafka
    // group rebalances, and readiness says what each trigger waits for.
    const url = await host.listen(listen);
    selfListening(self, Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
    const metricsBase = metricsHost && metricsApart ? await metricsHost.listen(metricsApart) : url;
    logger.info({ url: url.href }, `listening on ${url.href}; starting triggers`);
    for (const { tables } of triggers) for (const { entry } of tables) readiness.expect(entry.table);
    for (const { adapter, tables } of triggers) {
      running.push(
        await adapter.start(
          contextOf(adapter),
          tables.map((t) => t.config),
        ),
      );
      readiness.started(tables.map((t) => t.entry.table));
    }

    const endpoints = running.flatMap((t) => t.describe?.(url) ?? []).map((line) => redactor.text(line));
    collectGarbage(); // what loading left behind, before the app idles (collect-garbage.ts)
    return {
      app,
      url,
      endpoints,
      ...(metrics && { metrics: metrics.registry, metricsUrl: new URL(METRICS_ROUTE.slice(1), metricsBase) }),
      invoke: async (id, event) => component(id).handle(checkEventInput(event)),
      fetchInternal: (request) => host.chaining.fetch(request),
      readiness: () => readiness.snapshot(),
      stop,
    };
  } catch (error) {
    await stop();
    throw redactor.error(error);
  }
}

/**
 * A route with its sinks open. Knative's K_SINK is the sink when the trigger names none.
 * A sink that cannot be opened fails start-up naming the manifest table and field.
 */
async function openRoute(
  file: string,
  config: RouteConfig,
  defaults: Parameters<TriggerContext['route']>[1],
  sinks: SinkPool,
  env: NodeJS.ProcessEnv,
): Promise<Route> {
  const open = async (field: 'sink' | 'dead_letter', uri: string, fromManifest: boolean) => {
    try {
      return await sinks.open(uri);
    } catch (cause) {
      if (!fromManifest || config.table === undefined) throw cause;
      throw new ManifestError(file, config.table, field, (cause as Error).message, { cause });
    }
  };
  const sinkUri = config.sink ?? (env.K_SINK || undefined);
  return {
    componentId: config.component,
    ...(config.table ? { table: config.table } : {}),
    retry: retryPolicy(defaults, config.retry),
    ...(config.filter ? { filter: config.filter } : {}),
    ...(config.filters ? { filters: config.filters } : {}),
    ...(sinkUri ? { sink: await open('sink', sinkUri, config.sink !== undefined) } : {}),
    ...(config.deadLetter ? { deadLetter: await open('dead_letter', config.deadLetter, true) } : {}),
  };
}

/**
 * The one rule for "the component emitted events but the route has no sink": a trigger
 * that does not reply has nowhere to put them, so a spindle:event component (which may
 * emit on any event) without a sink nor K_SINK is refused at start-up, naming the table.
 * Deciding at run time (discard, warn) would lose events silently or per message.
 */
export function checkEmittedEventsHaveSink(
  file: string,
  adapter: TriggerAdapter<unknown>,
  component: Pick<Component, 'id' | 'worlds'>,
  config: RouteConfig,
  hasSink: boolean,
): void {
  if (adapter.replies === true || hasSink || !component.worlds.has('event')) return;
  throw new ManifestError(
    file,
    config.table ?? `trigger.${adapter.type}`,
    'sink',
    `is required: component '${component.id}' implements spindle:event and may emit events, which a ` +
      `${adapter.type} trigger cannot answer with; set sink = "<uri>" (or K_SINK) so that they are not lost`,
  );
}
