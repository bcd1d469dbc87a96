/**
 * Which world a `[[trigger.redis]]` component speaks decides how it gets messages:
 * `spindle:event/handler` gets CloudEvents through delivery (sink, retries, dead letters);
 * `fermyon:spin/inbound-redis` gets the raw payload, Spin's way, and emits nothing.
 */
import { ManifestError, type TriggerContext } from '../../src/adapter.ts';
import type { RedisTriggerConfig } from './config.ts';
import { eventHandler } from './event-handler.ts';
import { type BatchHandler, type MessageHandler, oneByOne } from './message.ts';
import { spinHandler } from './spin-handler.ts';

export interface OpenedHandler {
  handle: MessageHandler;
  /** The same for the entries of one stream read. */
  handleAll: BatchHandler;
  /** For the banner: `transform`, or `log-it (Spin inbound-redis)`. */
  label: string;
}

export async function openHandler(ctx: TriggerContext, config: RedisTriggerConfig): Promise<OpenedHandler> {
  const component = ctx.component(config.component);
  if (component.worlds.has('event')) {
    return { ...eventHandler(ctx, await ctx.route(config), config), label: config.component };
  }
  if (component.worlds.has('spin-redis')) {
    for (const [field, set] of [
      ['sink', config.declared.sink],
      ['dead_letter', config.declared.deadLetter],
    ] as const) {
      if (set) {
        throw new ManifestError(
          ctx.app.file,
          config.table,
          field,
          `component ${component.id} is a Spin Redis component (fermyon:spin/inbound-redis): it emits no events ` +
            'and its errors are logged, so this has no use',
        );
      }
    }
    for (const field of ['filter', 'filters'] as const) {
      if (config[field] !== undefined) {
        throw new ManifestError(
          ctx.app.file,
          config.table,
          field,
          `component ${component.id} is a Spin Redis component (fermyon:spin/inbound-redis): it gets raw ` +
            'payloads, not CloudEvents, so there is nothing to filter',
        );
      }
    }
    const handle = spinHandler(component, ctx.logger);
    return { handle, handleAll: oneByOne(handle), label: `${config.component} (Spin inbound-redis)` };
  }
  throw new ManifestError(
    ctx.app.file,
    config.table,
    'component',
    `component ${component.id} exports neither spindle:event/handler nor fermyon:spin/inbound-redis ` +
      `(it implements: ${[...component.worlds].join(', ') || 'nothing spindle knows'})`,
  );
}
