/**
 * The common world: a message becomes a CloudEvent (codec.ts) and goes through
 * `ctx.dispatch` (filter, component, sink, retries, dead-letter). An undecodable message
 * goes to the dead-letter sink with its bytes wrapped. Only a `failed` outcome keeps the
 * message in Redis (a stream entry stays pending; a pub/sub message is gone regardless).
 */
import type { Outcome, Route, TriggerContext } from '../../src/adapter.ts';
import { decodeEntry, decodeMessage, type RedisDecoded } from './codec.ts';
import type { RedisTriggerConfig } from './config.ts';
import { type BatchHandler, describeMessage, type MessageHandler, type RedisMessage, type Verdict } from './message.ts';

export interface EventHandlers {
  handle: MessageHandler;
  /** For stream reads: consecutive decodable entries go through `ctx.dispatchAll`. */
  handleAll: BatchHandler;
}

export function eventHandler(ctx: TriggerContext, route: Route, config: RedisTriggerConfig): EventHandlers {
  const options = config.messageType === undefined ? {} : { type: config.messageType };
  const decode = (message: RedisMessage): RedisDecoded =>
    message.kind === 'channel'
      ? decodeMessage(message.channel, message.payload, options)
      : decodeEntry(message.stream, message.id, message.fields, options);
  const verdict = (message: RedisMessage, outcome: Outcome): Verdict => {
    if (outcome.kind !== 'failed') return 'ack';
    const kept = message.kind === 'stream' ? 'left pending for another try' : 'lost (pub/sub is at most once)';
    ctx.logger.error(
      { component: route.componentId, message: describeMessage(message), err: outcome.error.message },
      `message failed and is ${kept}`,
    );
    return 'keep';
  };

  /** The core's decode-then-dispatch path: one outcome per message, in order. */
  const handleAll: BatchHandler = async (messages) => {
    const outcomes = await ctx.dispatchDecoded(route, messages.map(decode));
    return messages.map((message, i) => verdict(message, outcomes[i] ?? missing()));
  };
  return {
    handle: async (message) => (await handleAll([message]))[0] ?? missing(),
    handleAll,
  };
}

function missing(): never {
  throw new Error('dispatchDecoded returned fewer outcomes than messages');
}
