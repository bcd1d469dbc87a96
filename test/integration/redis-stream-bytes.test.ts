/**
 * Redis Streams entries are read as bytes: a field that is not UTF-8 reaches the codec
 * exact, and what cannot be an event is dead-lettered with those bytes and a reason that
 * names the field, while the entries behind it go on to the sink.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { defineApp, type RunningApp, startApp } from '../../src/index.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { buildFixture } from '../support/fixtures.ts';
import { waitFor } from '../support/wait.ts';

const BYTES = Buffer.from([0xff, 0xfe, 0x80, 0x41]);

describeWithBroker('redis', 'redis streams: bytes exact', () => {
  let wasm: string;
  let redis: Redis;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    wasm = await buildFixture('behaviours');
    redis = new Redis(redisUrl());
  }, 120_000);
  afterEach(async () => {
    await app?.stop();
  });
  afterAll(() => redis.disconnect());

  /** The events in `stream`, read as bytes. */
  const events = async (stream: string): Promise<CloudEvent[]> =>
    ((await redis.xrangeBuffer(stream, '-', '+')) as [Buffer, Buffer[]][]).flatMap(([id, fields]) => {
      const decoded = decodeEntry(stream, id.toString(), fields);
      return decoded.ok ? [decoded.event] : [];
    });

  it('dead-letters undecodable entries with their bytes exact, and delivers the good one behind them', async () => {
    const [stream, sink, dead] = [uniqueName('bytes'), uniqueName('bytes-out'), uniqueName('bytes-dead')];
    await redis.xadd(stream, '*', 'event', BYTES);
    await redis.xadd(stream, '*', 'data', BYTES, 'note', 'text');
    const good: CloudEvent = {
      id: 'good-1',
      source: '/bytes',
      type: 'test.echo',
      specversion: '1.0',
      datacontenttype: 'application/octet-stream',
      extensions: {},
      data: new Uint8Array(BYTES),
    };
    await redis.xadd(stream, '*', ...encodeEntry(good));
    app = await startApp(
      defineApp({
        name: uniqueName('app'),
        components: { echo: { source: wasm } },
        triggers: [
          {
            type: 'redis',
            component: 'echo',
            address: redisUrl(),
            stream,
            sink: `${redisUrl()}?stream=${sink}`,
            dead_letter: `${redisUrl()}?stream=${dead}`,
          },
        ],
      }),
      { listen: { host: '127.0.0.1', port: 0 } },
    );
    await waitFor(async () => (await events(dead)).length === 2 && (await events(sink)).length === 1, {
      what: 'two dead letters and one event at the sink',
    });
    const [eventField, dataField] = await events(dead);
    expect(eventField?.extensions.deadletterreason).toContain("field 'event' is not UTF-8 text");
    expect(Buffer.from(eventField?.data ?? [])).toEqual(BYTES);
    expect(dataField?.extensions.deadletterreason).toContain("field 'data' is not UTF-8 text");
    expect(JSON.parse(Buffer.from(dataField?.data ?? []).toString())).toEqual({
      data: BYTES.toString('base64'),
      note: Buffer.from('text').toString('base64'),
    });
    const [delivered] = await events(sink);
    expect(delivered?.id).toBe('good-1');
    expect(Buffer.from(delivered?.data ?? [])).toEqual(BYTES);
    await redis.del(stream, sink, dead);
  }, 60_000);
});
