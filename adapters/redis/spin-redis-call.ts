/**
 * The guest call of the Spin Redis handler (spin-handler.ts), run on the component's
 * worker threads: `handle-message(payload) -> result<_, error>`. A returned `err` is
 * thrown by jco as an Error whose `payload` is the WIT value; it reaches the handler.
 */
import type { GuestCall } from '../../src/adapter.ts';

const INBOUND_REDIS = /^fermyon:spin\/inbound-redis(@.+)?$/;
const INBOUND_REDIS_JS = 'inboundRedis';

interface InboundRedis {
  handleMessage(payload: Uint8Array): void;
}

export const spinRedisCall: GuestCall<Uint8Array, void> = {
  run(exports, payload) {
    const key = Object.keys(exports).find((name) => INBOUND_REDIS.test(name) || name === INBOUND_REDIS_JS);
    if (key === undefined) throw new Error('no fermyon:spin/inbound-redis export');
    (exports[key] as InboundRedis).handleMessage(payload);
  },
};
