import type { Dispatcher } from '../delivery/dispatcher.ts';
import type { Outcome } from '../trigger.ts';
import type { Tracing } from './tracing.ts';

type Dispatch = Pick<Dispatcher, 'dispatch' | 'dispatchAll' | 'dispatchDecoded' | 'reject'>;

/** A trigger's dispatch with a process span around each event it hands over (its type names the messaging system). */
export function tracedDispatch(tracing: Tracing, trigger: string, dispatcher: Dispatch): Dispatch {
  if (!tracing.on) return dispatcher;
  return {
    dispatch: async (route, event) => {
      const [outcome] = await tracing.process(trigger, route.componentId, [event], async () => [
        await dispatcher.dispatch(route, event),
      ]);
      return outcome as Outcome;
    },
    dispatchAll: (route, events, options) =>
      tracing.process(trigger, route.componentId, events, () => dispatcher.dispatchAll(route, events, options)),
    dispatchDecoded: (route, messages, options) =>
      tracing.process(
        trigger,
        route.componentId,
        messages.map((m) => (m.ok ? m.event : m.raw)),
        () => dispatcher.dispatchDecoded(route, messages, options),
      ),
    // Rejected before dispatch: no component ran, nothing to trace but the dead letter.
    reject: (route, event, error) => dispatcher.reject(route, event, error),
  };
}
