/**
 * What a trigger needs before it consumes: its queue (with the dead-letter exchange as
 * `x-dead-letter-exchange`), optionally an exchange and the bindings. A queue or exchange
 * that exists is used as it is (operators declare theirs with arguments of their own, say
 * a dead-letter exchange); only a missing one is declared, unless `declare = true` forces
 * the declaration, where a mismatch fails naming the argument that differs. Broker refusals
 * become ManifestErrors that name the field to change.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { ManifestError } from '../../src/adapter.ts';
import type { AmqpTriggerConfig } from './config.ts';

export async function declareTopology(
  model: ChannelModel,
  channel: Channel,
  config: AmqpTriggerConfig,
  file: string,
): Promise<void> {
  const refused = (field: string, what: string) => (cause: unknown) => {
    throw new ManifestError(file, config.table, field, `${what}: ${brokerReason(cause)}`, { cause });
  };
  const { queue, deadLetterExchange: dlx } = config;
  if (dlx !== undefined && dlx !== '') {
    // A missing dead-letter exchange would silently drop what is nacked to it.
    await channel
      .checkExchange(dlx)
      .catch(refused('dead_letter_exchange', `exchange '${dlx}' must exist (declare it, bound to a queue)`));
  }
  if (config.declare === 'never') {
    await channel.checkQueue(queue).catch(refused('queue', `queue '${queue}' must exist with declare = false`));
    return;
  }
  const forced = config.declare === 'always';
  if (forced || !(await exists(model, (probe) => probe.checkQueue(queue)))) {
    const args: Record<string, string> = {};
    if (dlx !== undefined) args['x-dead-letter-exchange'] = dlx;
    if (config.deadLetterRoutingKey !== undefined) args['x-dead-letter-routing-key'] = config.deadLetterRoutingKey;
    await channel
      .assertQueue(queue, { durable: config.durable, arguments: args })
      .catch(
        refused(
          'queue',
          `cannot declare queue '${queue}' (it exists with other arguments: leave declare unset to use it as it is, or make durable and dead_letter_exchange match)`,
        ),
      );
  }
  const exchange = config.exchange;
  if (exchange === undefined) return;
  if (
    !exchange.name.startsWith('amq.') &&
    (forced || !(await exists(model, (probe) => probe.checkExchange(exchange.name))))
  ) {
    await channel
      .assertExchange(exchange.name, exchange.type, { durable: config.durable })
      .catch(refused('exchange_type', `cannot declare ${exchange.type} exchange '${exchange.name}'`));
  }
  for (const key of exchange.bindingKeys) {
    await channel
      .bindQueue(queue, exchange.name, key)
      .catch(refused('exchange', `cannot bind queue '${queue}' to '${exchange.name}' with '${key}'`));
  }
}

/**
 * A passive check (checkQueue, checkExchange) on a throwaway channel: a failed check makes
 * the broker close the channel it ran on. NOT_FOUND means missing; any other failure
 * (access refused, say) is the broker's answer to report.
 */
async function exists(model: ChannelModel, check: (probe: Channel) => Promise<unknown>): Promise<boolean> {
  const probe = await model.createChannel();
  probe.on('error', () => {});
  try {
    await check(probe);
    await probe.close().catch(() => {});
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return false;
    throw error;
  }
}

/** amqplib's "Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message ..." as the broker's words. */
export function brokerReason(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return [...new Set(cause.errors.map(brokerReason))].join('; ');
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message || String(code ?? cause.name) : String(cause);
  const quoted = /with message "(.*)"$/s.exec(message);
  const reason = quoted?.[1] ?? message;
  return differingArgument(reason) ?? reason;
}

/**
 * RabbitMQ's PRECONDITION_FAILED "inequivalent arg 'x-dead-letter-exchange' for queue 'q'
 * in vhost '/': received none but current is the value 'dlx' of type 'longstr'" as which
 * argument differs and how (the broker names the first difference it finds).
 */
function differingArgument(reason: string): string | undefined {
  const found =
    /inequivalent arg '([^']+)' for (queue|exchange) '([^']*)' in vhost '[^']*': received (.*) but current is (.*)$/s.exec(
      reason,
    );
  if (found === null) return undefined;
  const [, arg, kind, name, declared, current] = found as unknown as string[];
  return `argument ${arg} differs: spindle declares ${brokerValue(declared)}, ${kind} '${name}' has ${brokerValue(current)} (${reason})`;
}

function brokerValue(text = ''): string {
  return /^the value (.*) of type '[^']*'$/s.exec(text)?.[1] ?? text;
}
