/**
 * What a trigger declares before it consumes: its queue (with the dead-letter exchange as
 * `x-dead-letter-exchange`), optionally an exchange and the bindings. Broker refusals
 * become ManifestErrors that name the field to change.
 */
import type { Channel } from 'amqplib';
import { ManifestError } from '../../src/adapter.ts';
import type { AmqpTriggerConfig } from './config.ts';

export async function declareTopology(channel: Channel, config: AmqpTriggerConfig, file: string): Promise<void> {
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
  if (!config.declare) {
    await channel.checkQueue(queue).catch(refused('queue', `queue '${queue}' must exist with declare = false`));
    return;
  }
  const args: Record<string, string> = {};
  if (dlx !== undefined) args['x-dead-letter-exchange'] = dlx;
  if (config.deadLetterRoutingKey !== undefined) args['x-dead-letter-routing-key'] = config.deadLetterRoutingKey;
  await channel
    .assertQueue(queue, { durable: config.durable, arguments: args })
    .catch(
      refused(
        'queue',
        `cannot declare queue '${queue}' (if it exists with other settings, make durable and ` +
          'dead_letter_exchange match them, or set declare = false)',
      ),
    );
  const exchange = config.exchange;
  if (exchange === undefined) return;
  if (!exchange.name.startsWith('amq.')) {
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

/** amqplib's "Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message ..." as the broker's words. */
export function brokerReason(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return [...new Set(cause.errors.map(brokerReason))].join('; ');
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message || String(code ?? cause.name) : String(cause);
  const quoted = /with message "(.*)"$/s.exec(message);
  return quoted?.[1] ?? message;
}
