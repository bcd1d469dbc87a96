/**
 * The common world: a message becomes a CloudEvent (codec.ts) and goes through
 * `ctx.dispatch` (filter, component, sink, retries, dead-letter). An undecodable message
 * goes to the dead-letter sink with its bytes wrapped. Only a `failed` outcome keeps the
 * message in Redis (a stream entry stays pending; a pub/sub message is gone regardless).
 */
import type { Route, TriggerContext } from '../../src/trigger.ts';
import { decodeEntry, decodeMessage, type RedisDecoded } from './codec.ts';
import type { RedisTriggerConfig } from './config.ts';
import { describeMessage, type MessageHandler, type RedisMessage } from './message.ts';

export function eventHandler(ctx: TriggerContext, route: Route, config: RedisTriggerConfig): MessageHandler {
  const options = config.messageType === undefined ? {} : { type: config.messageType };
  const decode = (message: RedisMessage): RedisDecoded =>
    message.kind === 'channel'
      ? decodeMessage(message.channel, message.payload, options)
      : decodeEntry(message.stream, message.id, message.fields, options);

  return async (message) => {
    const decoded = decode(message);
    const outcome = decoded.ok
      ? await ctx.dispatch(route, decoded.event)
      : await ctx.reject(route, decoded.raw, decoded.error);
    if (outcome.kind !== 'failed') return 'ack';
    const kept = message.kind === 'stream' ? 'left pending for another try' : 'lost (pub/sub is at most once)';
    ctx.logger.error(
      { component: route.componentId, message: describeMessage(message), err: outcome.error.message },
      `message failed and is ${kept}`,
    );
    return 'keep';
  };
}
