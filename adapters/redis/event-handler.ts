/**
 * The common world: a message becomes a CloudEvent (codec.ts) and goes through
 * `ctx.dispatch` (filter, component, sink, retries, dead-letter). An undecodable message
 * goes to the dead-letter sink with its bytes wrapped. Only a `failed` outcome keeps the
 * message in Redis (a stream entry stays pending; a pub/sub message is gone regardless).
 */
import type { CloudEvent } from '../../src/event.ts';
import type { Outcome, Route, TriggerContext } from '../../src/trigger.ts';
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

  return {
    async handle(message) {
      const decoded = decode(message);
      const outcome = decoded.ok
        ? await ctx.dispatch(route, decoded.event)
        : await ctx.reject(route, decoded.raw, decoded.error);
      return verdict(message, outcome);
    },
    async handleAll(messages) {
      const verdicts: Verdict[] = [];
      let run: { message: RedisMessage; event: CloudEvent }[] = [];
      const flush = async () => {
        const outcomes = await ctx.dispatchAll(
          route,
          run.map((r) => r.event),
        );
        for (const [i, r] of run.entries()) verdicts.push(verdict(r.message, outcomes[i] ?? missing()));
        run = [];
      };
      for (const message of messages) {
        const decoded = decode(message);
        if (decoded.ok) {
          run.push({ message, event: decoded.event });
          continue;
        }
        // Undecodable: the entries before it go first, so that order is kept.
        await flush();
        verdicts.push(verdict(message, await ctx.reject(route, decoded.raw, decoded.error)));
      }
      await flush();
      return verdicts;
    },
  };
}

function missing(): never {
  throw new Error('dispatchAll returned fewer outcomes than events');
}
