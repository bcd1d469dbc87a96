/**
 * Spin's Redis world, `fermyon:spin/inbound-redis`:
 *
 *   handle-message: func(message: payload) -> result<_, error>;
 *
 * The component gets the raw payload and emits nothing. As in Spin, an error (or a trap)
 * is logged with the message and the message is done with: it is not retried. On a
 * stream, the payload is the entry's `event` field, or its fields as a JSON object.
 */
import type { Logger } from 'pino';
import type { Component } from '../../src/adapter.ts';
import { EVENT_FIELD, fieldBytes } from './codec.ts';
import { describeMessage, type MessageHandler, type RedisMessage } from './message.ts';

const INBOUND_REDIS = /^fermyon:spin\/inbound-redis(@.+)?$/;
const INBOUND_REDIS_JS = 'inboundRedis';
/** How much of a payload goes into a log record. */
const SHOWN_BYTES = 1_024;

interface InboundRedis {
  handleMessage(payload: Uint8Array): void;
}

export function spinHandler(component: Component, logger: Logger): MessageHandler {
  return async (message) => {
    const payload = payloadOf(message);
    try {
      await component.withInstance((exports) => {
        const handler = inboundRedis(exports);
        if (handler === undefined) throw new Error('no fermyon:spin/inbound-redis export');
        handler.handleMessage(payload);
      });
    } catch (error) {
      // A guest's `err` arrives as a thrown ComponentError whose payload is the WIT value.
      const returned = (error as { payload?: unknown } | undefined)?.payload;
      const what = returned === undefined ? `trapped: ${(error as Error)?.message ?? error}` : `returned an error`;
      logger.error(
        {
          component: component.id,
          message: describeMessage(message),
          payload: shown(payload),
          ...(returned === undefined ? {} : { error: returned }),
        },
        `component ${component.id} ${what} handling the message ${JSON.stringify(shown(payload))}`,
      );
    }
    return 'ack';
  };
}

function payloadOf(message: RedisMessage): Uint8Array {
  if (message.kind === 'channel') return message.payload;
  const fields = fieldBytes(message.fields);
  const event = fields[EVENT_FIELD];
  if (event !== undefined) return event; // exact bytes, as a pub/sub payload is
  const texts = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [name, Buffer.from(value).toString()]),
  );
  return Buffer.from(JSON.stringify(texts));
}

function inboundRedis(exports: Record<string, unknown>): InboundRedis | undefined {
  const key = Object.keys(exports).find((name) => INBOUND_REDIS.test(name) || name === INBOUND_REDIS_JS);
  return key === undefined ? undefined : (exports[key] as InboundRedis);
}

function shown(payload: Uint8Array): string {
  const text = Buffer.from(payload.subarray(0, SHOWN_BYTES)).toString('utf8');
  return payload.length > SHOWN_BYTES ? `${text}...` : text;
}
