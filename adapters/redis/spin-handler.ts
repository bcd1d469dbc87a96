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
import { type Component, guestCallRef, returnedErr } from '../../src/adapter.ts';
import { EVENT_FIELD, fieldBytes } from './codec.ts';
import { describeMessage, type MessageHandler, type RedisMessage } from './message.ts';
import type { spinRedisCall } from './spin-redis-call.ts';

const SPIN_REDIS_CALL = guestCallRef<typeof spinRedisCall>(import.meta.url, './spin-redis-call', 'spinRedisCall');
/** How much of a payload goes into a log record. */
const SHOWN_BYTES = 1_024;

export function spinHandler(component: Component, logger: Logger): MessageHandler {
  return async (message) => {
    const payload = payloadOf(message);
    try {
      await component.call(SPIN_REDIS_CALL, payload);
    } catch (error) {
      // A guest's `err` arrives with the WIT value as its payload (returnedErr).
      const returned = returnedErr(error)?.payload;
      // Otherwise a ComponentError: `component <id> trapped: <why>` (a throw, a trap, a deadline).
      const what =
        returned === undefined
          ? ((error as Error)?.message ?? `component ${component.id} trapped: ${error}`)
          : `component ${component.id} returned an error`;
      logger.error(
        {
          component: component.id,
          message: describeMessage(message),
          payload: shown(payload),
          ...(returned === undefined ? {} : { error: returned }),
        },
        `${what} handling the message ${JSON.stringify(shown(payload))}`,
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

function shown(payload: Uint8Array): string {
  const text = Buffer.from(payload.subarray(0, SHOWN_BYTES)).toString('utf8');
  return payload.length > SHOWN_BYTES ? `${text}...` : text;
}
