import { availableParallelism } from 'node:os';

/**
 * The per-event deadline when a component sets no `timeout_ms`: 30 s, Knative's and
 * most brokers' order of magnitude for one delivery. A guest still running then is
 * stopped (its worker thread terminated) and the event fails as a trap: retried, then
 * dead-lettered.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Worker threads per component when it sets no `threads`: one core stays with the main
 * thread (HTTP, brokers, delivery), the others run guests, at most 4 (each worker costs
 * ~40 MB of RSS idle with a StarlingMonkey guest, ~80 MB under load: its own V8 isolate,
 * glue and instance, and the I/O thread preview2-shim starts in it; bench/memory).
 * On 2 cores that is 1 worker: with bench/http-target a second one gained nothing
 * (the main thread and the load generator already share the cores), and with
 * bench/runtime (no HTTP) 2 workers gave ~13,700 events/s against ~9,600 for one.
 */
export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}

/**
 * The linear memory an instance may have when a component sets no `memory_limit_mb`:
 * 256 MB, several times what a StarlingMonkey guest needs to transform an event, and
 * small enough that a few workers of a greedy guest leave the machine room. Without a
 * cap one greedy event grew spindle to 8.4 GB of RSS.
 */
export const DEFAULT_MEMORY_LIMIT_MB = 256;

/**
 * What a guest may print per event (stdout and stderr together) when a component sets
 * no `max_output_kb`: 64 KiB, hundreds of log lines. A guest that printed 550 MB in one
 * event left spindle at 950 MB of RSS; past the cap the bytes are counted and dropped.
 */
export const DEFAULT_MAX_OUTPUT_KB = 64;

/**
 * The bound on each wait of a guest's outbound HTTP request when a component sets no
 * `outbound_timeout_ms`: connecting and receiving the response headers, then each pause
 * of the body. 30 s, the per-event deadline: a wait longer than that could not finish
 * within the event anyway. Spin's defaults are 600 s.
 */
export const DEFAULT_OUTBOUND_TIMEOUT_MS = 30_000;
