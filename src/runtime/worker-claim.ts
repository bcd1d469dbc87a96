/**
 * Who runs a call that waits on a busy worker: that worker, or another one that fell
 * idle first. A waiting call's id sits in one of its worker's shared cells; the worker
 * (before running it) and the main thread (before moving it) both try to take it by
 * swapping the id for 0, and only one can win. So a call posted behind a guest that
 * loops does not wait for the deadline while another worker is free, and never runs
 * twice. One cell per call a worker may hold, so that no offer overwrites another.
 */
export function claimCells(count: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * count));
}

/** Offer `id` (a positive int32) in cell `index`. */
export function offer(cells: Int32Array, index: number, id: number): void {
  Atomics.store(cells, index, id);
}

/** True for exactly one caller per offer. */
export function claim(cells: Int32Array, index: number, id: number): boolean {
  return Atomics.compareExchange(cells, index, id, 0) === id;
}
