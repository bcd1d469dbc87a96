import { ComponentError } from '../errors.ts';
import { type CloudEvent, violations } from '../event.ts';
import type { GuestExports } from './component.ts';
import { type EventRecord, fromRecord, toRecord } from './event-record.ts';

interface Handler {
  handle(event: EventRecord): EventRecord[];
}

/** The `spindle:event/types.error` variant, as the glue throws it for `err`. */
export type ErrorVariant = { tag: 'invalid' | 'retry'; val: string };

export type Outcome = { ok: EventRecord[] } | { err: ErrorVariant };

/** The export key of `spindle:event/handler` among the names jco lists, if any. */
export function handlerKey(exportNames: readonly string[]): string | undefined {
  return exportNames.find((name) => /^spindle:event\/handler(@.+)?$/.test(name));
}

/**
 * Call `handle` on one instance. The `err` case comes back as a value so that the
 * instance, which worked as designed, stays reusable; anything else thrown is a trap.
 */
export function callHandle(exports: GuestExports, key: string, event: CloudEvent): Outcome {
  const handler = exports[key] as Handler;
  try {
    return { ok: handler.handle(toRecord(event)) };
  } catch (error) {
    const variant = errorVariant(error);
    if (variant !== undefined) return { err: variant };
    throw error;
  }
}

/** jco wraps a returned `err` in its ComponentError, the variant in `payload`. */
function errorVariant(error: unknown): ErrorVariant | undefined {
  if (typeof error !== 'object' || error === null || !('payload' in error)) return undefined;
  const payload = (error as { payload: unknown }).payload as Partial<ErrorVariant> | null;
  if (payload && (payload.tag === 'invalid' || payload.tag === 'retry') && typeof payload.val === 'string') {
    return payload as ErrorVariant;
  }
  return undefined;
}

/**
 * The emitted events, or the ComponentError the outcome means. An emitted event that
 * breaks the CloudEvents spec is a bug in the component: retrying the same input gives
 * the same output, so it is `invalid` (the input is dead-lettered with the reason) and
 * no event of that batch reaches a sink.
 */
export function settleOutcome(componentId: string, event: CloudEvent, outcome: Outcome): CloudEvent[] {
  if ('err' in outcome) {
    throw new ComponentError(componentId, outcome.err.tag, outcome.err.val, { eventId: event.id });
  }
  const emitted = outcome.ok.map(fromRecord);
  emitted.forEach((out, index) => {
    const problems = violations(out);
    if (problems.length > 0) {
      throw new ComponentError(
        componentId,
        'invalid',
        `emitted event #${index + 1} (id ${JSON.stringify(out.id)}) breaks the CloudEvents spec: ${problems.join('; ')}`,
        { eventId: event.id },
      );
    }
  });
  return emitted;
}
