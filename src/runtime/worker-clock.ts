/**
 * What a worker is running, in memory it shares with the main thread: when it started its
 * current item (wall-clock ms, 0 between items) and that item's index within its call.
 * The worker stamps each item; the pool reads the stamp when a deadline timer fires. So a
 * call carrying several events gives each event its own deadline, and a worker that is
 * stopped tells which event it was stopped in.
 */
export type ItemClock = BigInt64Array;

export function itemClock(): ItemClock {
  return new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT));
}

/** In the worker, before item `index` of a call. */
export function startItem(clock: ItemClock, index: number): void {
  Atomics.store(clock, 1, BigInt(index));
  Atomics.store(clock, 0, BigInt(Date.now()));
}

/** In the worker, after an item. */
export function endItem(clock: ItemClock): void {
  Atomics.store(clock, 0, 0n);
}

/** On the main thread: the item running now, if any. */
export function runningItem(clock: ItemClock): { index: number; startedAt: number } | undefined {
  const startedAt = Number(Atomics.load(clock, 0));
  return startedAt === 0 ? undefined : { index: Number(Atomics.load(clock, 1)), startedAt };
}
