/**
 * `wasi:clocks/monotonic-clock` and `wasi:clocks/wall-clock`, with core forms (core-abi.ts):
 * the guest reads them several times per event. The shim's own core forms are not used:
 * its wall clock writes the datetime at the wrong offsets (preview2-shim 0.26), so these
 * are new functions that carry spindle's.
 */

import { hrtime } from 'node:process';
import { memoryView, withCoreAbi } from './core-abi.ts';
import { clocks } from './preview2-shim.ts';
import type { WasmMemory } from './wasm.ts';

interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

const monotonicNow = (): bigint => hrtime.bigint();
const nanosecond = (): bigint => 1n;

export const monotonicClock = {
  // subscribe-instant and subscribe-duration: the shim's pollables.
  ...clocks.monotonicClock,
  now: withCoreAbi(
    () => monotonicNow(),
    () => monotonicNow,
  ),
  resolution: withCoreAbi(
    () => nanosecond(),
    () => nanosecond,
  ),
};

function datetime(ms: number): Datetime {
  return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
}

/** Core form of a function returning a datetime: it writes `{ u64 seconds, u32 nanoseconds }` at `retptr`. */
function lowerDatetime(read: () => Datetime) {
  return ({ memory }: { memory?: WasmMemory }) => {
    if (memory === undefined) throw new Error("jco's glue passed no memory for wasi:clocks/wall-clock");
    const view = memoryView(memory);
    return (retptr: number) => {
      const { seconds, nanoseconds } = read();
      view().setBigUint64(retptr, seconds, true);
      view().setUint32(retptr + 8, nanoseconds, true);
    };
  };
}

const wallNow = (): Datetime => datetime(Date.now());
const millisecond = (): Datetime => ({ seconds: 0n, nanoseconds: 1_000_000 });

export const wallClock = {
  now: withCoreAbi(() => wallNow(), lowerDatetime(wallNow)),
  resolution: withCoreAbi(() => millisecond(), lowerDatetime(millisecond)),
};
