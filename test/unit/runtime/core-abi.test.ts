import { describe, expect, it } from 'vitest';
import { monotonicClock, wallClock } from '../../../src/runtime/clocks.ts';
import { spinVariablesImport } from '../../../src/runtime/spin-variables.ts';

// The core forms as jco's hybrid glue uses them: `fn[Symbol.for('cabiLower')]({ memory, realloc })`
// once per instance, then the returned function straight from wasm, results written into
// linear memory at the canonical ABI's offsets.

type CoreFn = (...args: number[]) => unknown;
const lower = (fn: unknown, context: object): CoreFn =>
  (fn as Record<symbol, (context: object) => CoreFn>)[Symbol.for('cabiLower')]?.(context) as CoreFn;

// tsconfig's libs do not declare the WebAssembly global (see src/runtime/wasm.ts).
type Memory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number }) => Memory } })
  .WebAssembly;

/** A guest memory with a bump allocator as `cabi_realloc`; it grows on demand, as wasm memory does. */
function guest() {
  const memory = new Memory({ initial: 1 });
  let next = 1024;
  const realloc = (_old: number, _oldSize: number, align: number, size: number) => {
    next = Math.ceil(next / align) * align;
    const ptr = next;
    next += size;
    if (next > memory.buffer.byteLength) memory.grow(1);
    return ptr;
  };
  const view = () => new DataView(memory.buffer);
  const string = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len));
  const put = (text: string): [number, number] => {
    const bytes = new TextEncoder().encode(text);
    const ptr = realloc(0, 0, 1, bytes.length);
    new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  return { memory, realloc, view, string, put };
}

describe('core forms of hot host functions', () => {
  it('monotonic-clock now returns nanoseconds that only go forward', () => {
    const now = lower(monotonicClock.now, {});
    const first = now() as bigint;
    const second = now() as bigint;
    expect(typeof first).toBe('bigint');
    expect(second).toBeGreaterThanOrEqual(first);
    expect(lower(monotonicClock.resolution, {})()).toBe(1n);
    // The lifted form is the same clock.
    expect(monotonicClock.now()).toBeGreaterThanOrEqual(second);
  });

  it('wall-clock now writes { u64 seconds, u32 nanoseconds } at retptr', () => {
    const { memory, view } = guest();
    const retptr = 64;
    const before = Date.now();
    lower(wallClock.now, { memory })(retptr);
    const after = Date.now();
    const ms = Number(view().getBigUint64(retptr, true)) * 1000 + view().getUint32(retptr + 8, true) / 1e6;
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(view().getUint32(retptr + 8, true) % 1_000_000).toBe(0);
    // Nothing written past the record (16 bytes).
    expect(view().getUint32(retptr + 16, true)).toBe(0);

    lower(wallClock.resolution, { memory })(retptr);
    expect(view().getBigUint64(retptr, true)).toBe(0n);
    expect(view().getUint32(retptr + 8, true)).toBe(1_000_000);
  });

  it('spin variables get lowers ok as (tag 0, string) and allocates the value with the guest realloc', () => {
    const memory = guest();
    const imports = spinVariablesImport((name) => (name === 'suffix' ? '.transformed ✓' : undefined));
    const get = lower((imports['fermyon:spin/variables'] as { get: unknown }).get, memory);
    const retptr = 128;
    get(...memory.put('suffix'), retptr);
    expect(memory.view().getUint8(retptr)).toBe(0);
    const ptr = memory.view().getUint32(retptr + 4, true);
    const len = memory.view().getUint32(retptr + 8, true);
    expect(memory.string(ptr, len)).toBe('.transformed ✓');
  });

  it('spin variables get lowers each error case as (tag 1, case, string)', () => {
    const memory = guest();
    const imports = spinVariablesImport(() => undefined);
    const get = lower((imports['fermyon:spin/variables'] as { get: unknown }).get, memory);
    const read = (retptr: number) => ({
      tag: memory.view().getUint8(retptr),
      case: memory.view().getUint8(retptr + 4),
      text: memory.string(memory.view().getUint32(retptr + 8, true), memory.view().getUint32(retptr + 12, true)),
    });
    get(...memory.put('missing'), 128);
    expect(read(128)).toEqual({ tag: 1, case: 1, text: 'no variable named "missing"' });
    get(...memory.put('Bad-Name'), 160);
    expect(read(160)).toEqual({ tag: 1, case: 0, text: 'invalid variable name "Bad-Name"' });
  });

  it('keep working after the guest memory grows (the old buffer is detached)', () => {
    const memory = guest();
    const imports = spinVariablesImport(() => 'x'.repeat(70_000));
    const get = lower((imports['fermyon:spin/variables'] as { get: unknown }).get, memory);
    const wall = lower(wallClock.now, { memory: memory.memory });
    get(...memory.put('big'), 128); // allocates past the first 64 KiB page: memory grows
    expect(memory.memory.buffer.byteLength).toBeGreaterThan(65_536);
    expect(memory.view().getUint32(128 + 8, true)).toBe(70_000); // the ok string's length
    wall(256);
    expect(Number(memory.view().getBigUint64(256, true))).toBeGreaterThan(1_700_000_000);
  });
});
