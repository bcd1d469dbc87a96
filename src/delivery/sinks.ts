import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters.ts';
import { SpindleError } from '../errors.ts';
import type { Metrics } from '../observe/metrics.ts';
import { redactUrl } from '../redact.ts';
import type { EventSink, SinkFactory } from '../trigger.ts';
import { parseSinkUri } from './sink-uri.ts';

/** Opens sinks by URI through the adapter that owns the scheme; one connection per URI. */
export class SinkPool implements SinkFactory {
  readonly #open = new Map<string, Promise<EventSink>>();
  readonly #adapters: AdapterRegistry;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;

  /** With `metrics`, every send is timed and its events counted. */
  constructor(adapters: AdapterRegistry, logger: Logger, metrics?: Metrics) {
    this.#adapters = adapters;
    this.#logger = logger;
    this.#metrics = metrics;
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

  async #connect(uri: string): Promise<EventSink> {
    const url = parseSinkUri(uri);
    if (url === undefined) {
      throw new SpindleError(
        `sink '${redactUrl(uri)}' is not a URI (expected e.g. http://host:port/path or kafka://host:port/topic)`,
      );
    }
    const scheme = url.protocol.replace(/:$/, '');
    const adapter = await this.#adapters.sink(scheme);
    if (adapter === undefined) {
      throw new SpindleError(`sink '${redactUrl(uri)}': no adapter handles the scheme '${scheme}:'`);
    }
    const sink = await adapter.open(url, { logger: this.#logger.child({ sink: redactUrl(url) }) });
    return this.#metrics?.sink(sink) ?? sink;
  }
}
