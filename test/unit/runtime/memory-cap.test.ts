import { parse } from '@bytecodealliance/jco';
import { describe, expect, it } from 'vitest';
import { capMemories, MemoryCapTooSmall, WASM_PAGE } from '../../../src/runtime/memory-cap.ts';
import { explainTrap, MemoryLimitExceeded } from '../../../src/runtime/memory-limit.ts';
import { compileModule, instantiateModule } from '../../../src/runtime/wasm.ts';

type Exports = {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  grow(pages: number): number;
  peek(): number;
};

async function instantiate(bytes: Uint8Array): Promise<Exports> {
  const instance = await instantiateModule(await compileModule(bytes));
  return instance.exports as unknown as Exports;
}

/** A module with the given memory type, a data segment after it and two functions. */
const module = (memory: string) =>
  parse(`(module
    (memory (export "memory") ${memory})
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "peek") (result i32) (i32.load8_u (i32.const 8)))
    (data (i32.const 8) "\\2a"))`);

describe('capMemories (memory_limit_mb in the module)', () => {
  it('caps a memory without a maximum: a guest grow past the cap fails, from JS too', async () => {
    const guest = await instantiate(capMemories(await module('1'), 4));
    expect(guest.grow(3)).toBe(1);
    expect(guest.grow(1)).toBe(-1);
    expect(() => guest.memory.grow(1)).toThrow(RangeError);
    expect(guest.memory.buffer.byteLength).toBe(4 * WASM_PAGE);
    expect(guest.peek()).toBe(42); // the sections after the memory section are intact
  });

  it('keeps a smaller maximum the module declares', async () => {
    const guest = await instantiate(capMemories(await module('1 2'), 4));
    expect(guest.grow(1)).toBe(1);
    expect(guest.grow(1)).toBe(-1);
  });

  it('adds a maximum of several bytes (256 MB): the section grows, the ones after it are intact', async () => {
    const capped = capMemories(await module('1'), 4096);
    const guest = await instantiate(capped);
    expect(guest.grow(4095)).toBe(1);
    expect(guest.grow(1)).toBe(-1);
    expect(guest.peek()).toBe(42);
  });

  it('refuses a cap below the memory the module starts with, naming both', async () => {
    const bytes = await module('32');
    expect(() => capMemories(bytes, 16)).toThrow(MemoryCapTooSmall);
    expect(() => capMemories(bytes, 16)).toThrow(
      'its linear memory starts at 2 MB, more than the limit of 1 MB (raise memory_limit_mb)',
    );
  });

  it('leaves a module that defines no memory as it is, and an imported memory to its exporter', async () => {
    const none = await parse('(module (func (export "f")))');
    expect(capMemories(none, 1)).toBe(none);
    const importing = await parse('(module (import "host" "memory" (memory 1)) (func (export "f")))');
    expect(capMemories(importing, 1)).toBe(importing);
  });
});

describe('explainTrap (is this trap the memory limit?)', () => {
  const memory = (pages: number) => ({ buffer: new ArrayBuffer(pages * WASM_PAGE) });
  const trap = new Error('wasm trap: unreachable');

  it('names the limit when the guest held at least half of it', () => {
    const explained = explainTrap(trap, [memory(1), memory(255)], 16);
    expect(explained).toBeInstanceOf(MemoryLimitExceeded);
    expect((explained as Error).message).toBe(
      'exceeded its memory limit of 16 MB (memory_limit_mb): it trapped holding 16 MB: wasm trap: unreachable',
    );
    expect((explained as Error).cause).toBe(trap);
  });

  it('leaves any other trap as it is', () => {
    expect(explainTrap(trap, [memory(100)], 16)).toBe(trap);
    expect(explainTrap(trap, [], 16)).toBe(trap);
  });
});
