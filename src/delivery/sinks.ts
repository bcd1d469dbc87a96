import type { Logger } from 'pino';
import { type AdapterRegistry, builtinSinkSchemes } from '../adapters.ts';
import { SpindleError } from '../errors.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { Tracing } from '../observe/tracing.ts';
import { redactUrl } from '../redact.ts';
import { didYouMean } from '../suggest.ts';
import type { EventSink, SinkAdapter, SinkFactory } from '../trigger.ts';
import { parseSinkUri } from './sink-uri.ts';

/** Opens sinks by URI through the adapter that owns the scheme; one connection per URI. */
export class SinkPool implements SinkFactory {
  readonly #open = new Map<string, Promise<EventSink>>();
  readonly #adapters: AdapterRegistry;
  readonly #logger: Logger;
  readonly #tracing: Tracing | undefined;
  readonly #metrics: Metrics | undefined;

  /**
   * With `tracing`, every send is traced and the events sent carry its span's context;
   * with `metrics`, every send is timed and its events counted.
   */
  constructor(adapters: AdapterRegistry, logger: Logger, observe: { tracing?: Tracing; metrics?: Metrics } = {}) {
    this.#adapters = adapters;
    this.#logger = logger;
    this.#tracing = observe.tracing;
    this.#metrics = observe.metrics;
  }

  open(uri: string): Promise<EventSink> {
    let sink = this.#open.get(uri);
    if (sink === undefined) {
      sink = this.#connect(uri);
      this.#open.set(uri, sink);
      sink.catch(() => this.#open.delete(uri));
    }
    return sink;
  }

  async closeAll(): Promise<void> {
    const sinks = await Promise.allSettled(this.#open.values());
    this.#open.clear();
    await Promise.allSettled(sinks.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  }

  /** Throw what is wrong with `uri` (not a URI, no adapter, what its adapter's `check` finds), without connecting. */
  async check(uri: string): Promise<void> {
    const { url, adapter } = await this.#resolve(uri);
    adapter.check?.(url);
  }

  async #connect(uri: string): Promise<EventSink> {
    const { url, adapter } = await this.#resolve(uri);
    const sink = await adapter.open(url, { logger: this.#logger.child({ sink: redactUrl(url) }) });
    const traced = this.#tracing === undefined ? sink : this.#tracing.sink(sink);
    return this.#metrics?.sink(traced) ?? traced;
  }

  async #resolve(uri: string): Promise<{ url: URL; adapter: SinkAdapter }> {
    const url = parseSinkUri(uri);
    if (url === undefined) {
      throw new SpindleError(
        `sink '${redactUrl(uri)}' is not a URI (expected e.g. http://host:port/path or kafka://host:port/topic)`,
      );
    }
    const scheme = url.protocol.replace(/:$/, '');
    const adapter = await this.#adapters.sink(scheme);
    if (adapter === undefined) {
      const hint = didYouMean(scheme, builtinSinkSchemes, (s) => `${s}:`);
      throw new SpindleError(`sink '${redactUrl(uri)}': no adapter handles the scheme '${scheme}:'${hint}`);
    }
    return { url, adapter };
  }
}
