/**
 * Guest calls (src/runtime/guest-call.ts) for the runtime's tests, as an adapter ships
 * them: `component.call(ref, input)` runs them on the component's threads.
 */
import type { GuestCall } from '../../src/adapter.ts';

/** Calls `handle-timer-request` and answers `input` with what ran. */
export const tickCall: GuestCall<{ label: string }, string> = {
  run(exports, { label }) {
    (exports.handleTimerRequest as () => void)();
    return `${label}: ran`;
  },
};

/** Throws as jco does when a guest returns a WIT `err`: an Error with the value as `payload`. */
export const returnsErrCall: GuestCall<null, never> = {
  run() {
    throw Object.assign(new Error('the guest returned an error'), { payload: { tag: 'other', val: 'nope' } });
  },
};
