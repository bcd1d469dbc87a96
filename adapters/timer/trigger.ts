/**
 * `[[trigger.timer]]`: Spin's custom-trigger example, rebuilt on spindle's adapter entry
 * only (src/adapter.ts; `spindle/adapter` from a package), as the proof that a trigger
 * type is a plug-in:
 *
 *   [application.trigger.timer]
 *   speedup = 10            # optional: every interval divided by this
 *   [[trigger.timer]]
 *   component = "ticker"
 *   interval_secs = 5
 *
 * A component exporting `handle-timer-request: func()` is called at every tick; a
 * spindle:event component receives a `dev.spindle.timer.tick` event instead, and its
 * emitted events go to the trigger's sink like any other trigger's.
 */
import { randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  guestCallRef,
  InFlight,
  ManifestError,
  parseRouteConfig,
  type RouteConfig,
  type RunningTrigger,
  type TriggerAdapter,
  type TriggerContext,
} from '../../src/adapter.ts';
import type { timerCall } from './timer-call.ts';

const TIMER_CALL = guestCallRef<typeof timerCall>(import.meta.url, './timer-call', 'timerCall');

export interface TimerConfig extends RouteConfig {
  intervalMs: number;
  table: string;
}

export const timerTrigger: TriggerAdapter<TimerConfig> = {
  type: 'timer',

  parseConfig(table) {
    const seconds = table.optionalNumber('interval_secs', { min: 0 });
    if (seconds === undefined || seconds === 0) throw table.error('interval_secs', 'is required (seconds, above 0)');
    const speedup = table.optionalNumber('speedup', { min: 0 }) ?? 1;
    if (speedup === 0) table.report('speedup', 'must be above 0');
    return { ...parseRouteConfig(table), intervalMs: (seconds * 1000) / speedup, table: table.table };
  },

  worlds: () => ['timer', 'event'],

  async start(ctx, configs) {
    const inFlight = new InFlight();
    const timers: NodeJS.Timeout[] = [];
    for (const config of configs) {
      const tick = await ticker(ctx, config);
      timers.push(setInterval(() => void inFlight.run(tick), config.intervalMs));
    }
    const running: RunningTrigger = {
      describe: () => configs.map((c) => `timer every ${c.intervalMs / 1000} s -> ${c.component}`),
      drain: async () => {
        for (const timer of timers) clearInterval(timer);
        await inFlight.idle();
      },
      close: async () => {},
    };
    return running;
  },
};

/** What one tick does for `config`: call the timer export, or dispatch a tick event. */
async function ticker(ctx: TriggerContext, config: TimerConfig): Promise<() => Promise<void>> {
  const component = ctx.component(config.component);
  const logger = ctx.logger.child({ component: config.component });
  if (component.worlds.has('timer')) {
    return async () => {
      try {
        await component.call(TIMER_CALL, null);
      } catch (error) {
        // A ComponentError: `component <id> trapped: <why>` (a throw, a trap, a deadline).
        logger.error({ err: error }, `handle-timer-request failed: ${(error as Error)?.message ?? error}`);
      }
    };
  }
  if (!component.worlds.has('event')) {
    throw new ManifestError(
      ctx.app.file,
      config.table,
      'component',
      `'${config.component}' exports neither handle-timer-request nor spindle:event/handler`,
    );
  }
  // A timer replies to no one: the core refuses a route without a sink (or K_SINK).
  const route = await ctx.route(config);
  return async () => {
    const tick: CloudEvent = {
      id: randomUUID(),
      source: `spindle://timer/${config.component}`,
      type: 'dev.spindle.timer.tick',
      specversion: '1.0',
      time: new Date().toISOString(),
      extensions: {},
    };
    const outcome = await ctx.dispatch(route, tick);
    if (outcome.kind === 'failed') logger.error({ err: outcome.error.message }, 'timer tick failed');
  };
}
