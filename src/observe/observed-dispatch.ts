import type { CloudEvent } from '../event.ts';
import type { Logger } from '../log.ts';
import type { Outcome, Route, TriggerContext } from '../trigger.ts';
import { type Metrics, triggerLabel } from './metrics.ts';

/** What an event's outcome goes to when nobody observes it (metrics off, no debug). */
const unobserved = (_outcome: Outcome | undefined): void => {};

/** The context's delivery calls. */
export type Delivery = Pick<TriggerContext, 'dispatch' | 'dispatchAll' | 'dispatchDecoded' | 'reject'>;

/**
 * `inner`'s delivery calls (the dispatcher's, or another wrapper's) with each event
 * observed from receipt to outcome: counted and timed in `metrics` (when on), and one
 * debug line per event on `logger` (when debug is on) with its id, type, trigger,
 * component, outcome and duration.
 */
export function observedDispatch(inner: Delivery, options: { metrics?: Metrics; logger: Logger }): Delivery {
  const { metrics, logger } = options;
  /** Call on receipt; call what it returns with the outcome (undefined: never tried). */
  const receive = (route: Route, event: CloudEvent) => {
    if (metrics === undefined && !logger.isLevelEnabled('debug')) return unobserved;
    const counted = metrics?.received(route);
    const start = performance.now();
    return (outcome: Outcome | undefined) => {
      counted?.(outcome);
      if (outcome === undefined || !logger.isLevelEnabled('debug')) return;
      logger.debug(
        {
          event: event.id,
          type: event.type,
          trigger: triggerLabel(route.table),
          component: route.componentId,
          outcome: outcome.kind,
          durationMs: Math.round((performance.now() - start) * 1000) / 1000,
        },
        'event done',
      );
    };
  };
  const one = async (route: Route, event: CloudEvent, deliver: () => Promise<Outcome>) => {
    const done = receive(route, event);
    const outcome = await deliver();
    done(outcome);
    return outcome;
  };
  const each = async (route: Route, events: readonly CloudEvent[], deliver: () => Promise<Outcome[]>) => {
    const done = events.map((event) => receive(route, event));
    const outcomes = await deliver();
    done.forEach((end, index) => {
      end(outcomes[index]);
    });
    return outcomes;
  };
  return {
    dispatch: (route, event) => one(route, event, () => inner.dispatch(route, event)),
    dispatchAll: (route, events, opts) => each(route, events, () => inner.dispatchAll(route, events, opts)),
    dispatchDecoded: (route, messages, opts) =>
      each(
        route,
        messages.map((m) => (m.ok ? m.event : m.raw)),
        () => inner.dispatchDecoded(route, messages, opts),
      ),
    reject: (route, event, error) => one(route, event, () => inner.reject(route, event, error)),
  };
}
