import type { WasmMemory } from './wasm.ts';

/**
 * A guest that trapped when a memory.grow failed at its cap (memory-cap.ts) or whose
 * worker's JavaScript heap filled up. Its instance, and in a worker the whole worker, is
 * dropped so that the memory is returned before the event is tried again.
 */
export class MemoryLimitExceeded extends Error {
  override name = 'MemoryLimitExceeded';

  constructor(limitMb: number, detail: string, options: { cause?: unknown } = {}) {
    super(`exceeded its memory limit of ${limitMb} MB (memory_limit_mb): ${detail}`, options);
  }
}

/**
 * What a trap means, given the memories of the instance that trapped. A guest cannot tell
 * the host that a memory.grow failed; it traps soon after (an allocator that gets no
 * memory aborts). A trap while the guest holds at least half its limit is taken for one:
 * a request that did not fit the other half, as when a growing buffer doubles.
 */
export function explainTrap(error: unknown, memories: readonly WasmMemory[], limitMb: number): unknown {
  const held = Math.max(0, ...memories.map((memory) => memory.buffer.byteLength));
  if (held * 2 < limitMb * 2 ** 20) return error;
  const trap = error instanceof Error ? error.message : String(error);
  return new MemoryLimitExceeded(limitMb, `it trapped holding ${Math.round(held / 2 ** 20)} MB: ${trap}`, {
    cause: error,
  });
}

/** How much JavaScript heap a worker may use, beside the wasm memory: the glue's own needs, and what it lifts out of the guest. */
export function workerHeapMb(limitMb: number): number {
  return Math.max(64, limitMb);
}
