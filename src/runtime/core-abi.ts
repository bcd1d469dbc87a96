/**
 * Host functions that the guest calls straight from wasm, past jco's glue.
 *
 * spindle transpiles with jco's `hybrid` import bindings: when an imported function
 * carries `[Symbol.for('cabiLower')]`, the glue calls that factory once per instance
 * with the instance's memory and realloc, and wires the core function it returns into
 * the guest in place of its own trampoline. The trampoline lifts the arguments, lowers
 * the result and, since jco 1.35, creates an async task and a subtask on every call,
 * synchronous or not: a few microseconds per call. StarlingMonkey reads the monotonic
 * clock several times per event, so under load that bookkeeping was ~12% of a worker's
 * CPU (perf, bench/brokers). Only small, hot, synchronous functions get a core form;
 * everything else keeps jco's lifting.
 */

import type { WasmMemory } from './wasm.ts';

const CABI_LOWER = Symbol.for('cabiLower');

/** What the glue passes to a `cabiLower` factory (only what the import's signature needs). */
export interface CoreContext {
  memory?: WasmMemory;
  /** The guest's `cabi_realloc(old_ptr, old_size, align, new_size) -> ptr`. */
  realloc?: (oldPtr: number, oldSize: number, align: number, newSize: number) => number;
}

/** `fn` (a function of spindle's own, never a shared one of the shim) with a core form. */
export function withCoreAbi<F extends (...args: never[]) => unknown>(
  fn: F,
  lower: (context: CoreContext) => (...args: number[]) => unknown,
): F {
  return Object.assign(fn, { [CABI_LOWER]: lower });
}

/** The instance's memory and realloc, or a clear error if the glue did not pass them. */
export function guestMemory(context: CoreContext, what: string): Required<CoreContext> {
  const { memory, realloc } = context;
  if (memory === undefined || realloc === undefined) {
    throw new Error(`jco's glue passed no memory or realloc for ${what}`);
  }
  return { memory, realloc };
}

/** A DataView over linear memory, renewed when the memory grows (growing detaches the old buffer). */
export function memoryView(memory: WasmMemory): () => DataView {
  let view = new DataView(memory.buffer);
  return () => {
    if (view.buffer !== memory.buffer) view = new DataView(memory.buffer);
    return view;
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder(); // as jco's glue decodes: invalid bytes become U+FFFD

/** A UTF-8 string argument: (ptr, len) into the guest's memory. */
export function readString(memory: WasmMemory, ptr: number, len: number): string {
  return decoder.decode(new Uint8Array(memory.buffer, ptr, len));
}

/** Copies `text` into guest memory allocated with its realloc; returns (ptr, len) as the canonical ABI does. */
export function writeString(guest: Required<CoreContext>, text: string): [ptr: number, len: number] {
  if (text.length === 0) return [1, 0];
  const bytes = encoder.encode(text);
  const ptr = guest.realloc(0, 0, 1, bytes.length);
  new Uint8Array(guest.memory.buffer, ptr, bytes.length).set(bytes);
  return [ptr, bytes.length];
}
