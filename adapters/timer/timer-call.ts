/**
 * The timer trigger's guest call (trigger.ts), run on the component's worker threads:
 * `handle-timer-request: func()`.
 */
import type { GuestCall } from '../../src/adapter.ts';

export const timerCall: GuestCall<null, void> = {
  run(exports) {
    (exports.handleTimerRequest as () => void)();
  },
};
