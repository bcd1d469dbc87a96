/**
 * The Redis sink: events appended to a stream, or published on a channel.
 *
 *   redis://[:password@]host:port[/db]?stream=<name>[&maxlen=<n>]
 *       XADD <name> [MAXLEN ~ <n>] * event <structured JSON>
 *       one entry per event, the field `event` holding its JSON Event Format;
 *       `maxlen` trims the stream approximately (`~`) as it grows
 *   redis://[:password@]host:port[/db]?channel=<name>
 *       PUBLISH <name> <structured JSON>
 *       at most once: subscribers that are not connected at that moment never see it
 *   rediss://...  the same over TLS
 *
 * `send` resolves only once Redis answered every command (a PUBLISH reaching no
 * subscriber is still accepted). `stream` and `channel` are exclusive.
 */
import type { Redis } from 'ioredis';
import { type CloudEvent, type EventSink, type SinkAdapter, SinkError, SpindleError } from '../../src/adapter.ts';
import { encodeEntry, encodeMessage } from './codec.ts';
import { checkAddress, closeRedis, connectRedis, redactUrl } from './connection.ts';

export type SinkTarget = { kind: 'stream'; stream: string; maxlen?: number } | { kind: 'channel'; channel: string };

export class RedisSink implements EventSink {
  readonly uri: string;
  readonly #client: Redis;
  readonly #target: SinkTarget;

  constructor(uri: string, client: Redis, target: SinkTarget) {
    this.uri = uri;
    this.#client = client;
    this.#target = target;
  }

  async send(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.#client.pipeline();
    const target = this.#target;
    for (const event of events) {
      if (target.kind === 'channel') pipeline.publish(target.channel, encodeMessage(event));
      else if (target.maxlen === undefined) pipeline.xadd(target.stream, '*', ...encodeEntry(event));
      else pipeline.xadd(target.stream, 'MAXLEN', '~', target.maxlen, '*', ...encodeEntry(event));
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (cause) {
      throw new SinkError(this.uri, `redis did not accept ${events.length} event(s): ${(cause as Error).message}`, {
        cause,
      });
    }
    const failed = (results ?? []).findIndex(([error]) => error !== null);
    if (results === null || failed !== -1) {
      const cause = results?.[failed]?.[0] ?? new Error('the pipeline was discarded');
      const command = target.kind === 'channel' ? 'PUBLISH' : 'XADD';
      throw new SinkError(this.uri, `${command} of event ${events[Math.max(failed, 0)]?.id} failed: ${cause.message}`, {
        cause,
      });
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.#client);
  }
}

/** The stream or channel a sink URI names, or a SpindleError saying what is wrong. */
export function parseSinkUri(uri: URL): SinkTarget {
  const shown = redactUrl(uri);
  const fail = (reason: string) =>
    new SpindleError(
      `sink ${shown}: ${reason} (expected redis://host:port[/db]?stream=<name>[&maxlen=<n>] or ?channel=<name>)`,
    );
  const problem = checkAddress(uri.href);
  if (problem !== undefined) throw fail(problem);
  const params = uri.searchParams;
  for (const name of params.keys()) {
    if (!['stream', 'channel', 'maxlen'].includes(name)) throw fail(`unknown parameter '${name}'`);
  }
  const stream = params.get('stream');
  const channel = params.get('channel');
  if (stream !== null && channel !== null) throw fail("set either 'stream' or 'channel', not both");
  if (channel !== null) {
    if (channel === '') throw fail("'channel' must not be empty");
    if (params.has('maxlen')) throw fail("'maxlen' applies to a stream only");
    return { kind: 'channel', channel };
  }
  if (stream === null || stream === '') throw fail("a 'stream' or 'channel' parameter is required");
  const maxlen = params.get('maxlen');
  if (maxlen === null) return { kind: 'stream', stream };
  if (!/^[1-9]\d*$/.test(maxlen)) throw fail(`'maxlen' must be a positive whole number, got '${maxlen}'`);
  return { kind: 'stream', stream, maxlen: Number(maxlen) };
}

export const redisSinkAdapter: SinkAdapter = {
  schemes: ['redis', 'rediss'],
  check: (uri) => void parseSinkUri(uri),
  async open(uri, { logger }) {
    const target = parseSinkUri(uri);
    const name = target.kind === 'stream' ? target.stream : target.channel;
    let client: Redis;
    try {
      client = await connectRedis(uri, { logger, name: `spindle-sink:${name}` });
    } catch (cause) {
      throw new SpindleError(`sink ${redactUrl(uri)}: ${(cause as Error).message}`, { cause });
    }
    return new RedisSink(redactUrl(uri), client, target);
  },
};
