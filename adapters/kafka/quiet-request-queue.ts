/**
 * kafkajs 2.2.4 (unmaintained since 2023) schedules its request queue's throttle check
 * with `setTimeout(check, throttledUntil - Date.now())`, which is negative once the
 * throttle has passed or was never set: Node 24 prints a TimeoutNegativeWarning for such
 * a timer, on every Kafka run, about nothing the user did. Node has always run a negative
 * delay after 1 ms; the method below is kafkajs's own with the delay clamped to that 1 ms,
 * so the queue behaves exactly as before, silently. Loaded once, before any client.
 */
import { createRequire } from 'node:module';

interface RequestQueue {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

// The very module kafkajs requires (one CommonJS cache entry per file).
const require = createRequire(import.meta.url);
const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueue };

RequestQueueClass.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
  if (this.throttleCheckTimeoutId) return;
  const untilThrottleEnds = this.throttledUntil - Date.now();
  const delay =
    untilThrottleEnds > 0 ? untilThrottleEnds : this.pending.length > 0 ? CHECK_PENDING_REQUESTS_INTERVAL : 1;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
};
