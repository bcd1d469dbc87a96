import { parse } from '@bytecodealliance/jco';
import { describe, expect, it } from 'vitest';
import { CoreRecycler } from '../../../src/runtime/core-recycler.ts';
import { exposeInstanceState, isResettable } from '../../../src/runtime/instance-state.ts';
import { compileModule, type WasmInstance, type WasmModule } from '../../../src/runtime/wasm.ts';

/**
 * A guest with state in a global, in memory (a data segment) and in its table; `bump`
 * counts uses in the global and in memory and tells the host the count.
 */
const guest = (extra = '') =>
  parse(`(module
    (import "host" "note" (func $note (param i32)))
    (memory (export "memory") 1 4)
    (global $count (mut i32) (i32.const 0))
    (table 2 funcref)
    (elem (i32.const 0) $one $two)
    (func $one (result i32) (i32.const 1))
    (func $two (result i32) (i32.const 2))
    (func (export "bump") (result i32)
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 1)))
      (call $note (global.get $count))
      (i32.add (global.get $count) (i32.load8_u (i32.const 100))))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    (func (export "first") (result i32) (call_indirect (result i32) (i32.const 0)))
    ${extra}
    (data (i32.const 100) "\\0a"))`);

type Exports = { bump(): number; grow(): number; first(): number; swap?(): void };

async function compiled(bytes: Uint8Array): Promise<WasmModule> {
  return compileModule(exposeInstanceState(bytes));
}

/** One component instance's use of the guest: instantiate through a lease, call, release. */
async function use<T>(recycler: CoreRecycler, module: WasmModule, fn: (exports: Exports, notes: number[]) => T) {
  const notes: number[] = [];
  const lease = recycler.lease();
  const instance: WasmInstance = await lease.instantiate(module, { host: { note: (n: number) => notes.push(n) } });
  try {
    return { result: fn(instance.exports as unknown as Exports, notes), notes, instance };
  } finally {
    lease.release();
  }
}

describe('CoreRecycler (fresh instances without instantiating again)', () => {
  it('puts a kept instance back into its instantiated state: globals, memory, imports of the new user', async () => {
    const module = await compiled(await guest());
    expect(isResettable(module)).toBe(true);
    const recycler = new CoreRecycler(true);
    const first = await use(recycler, module, (guest) => [guest.bump(), guest.bump()]);
    const second = await use(recycler, module, (guest) => [guest.bump()]);
    expect(first.result).toEqual([1 + 11, 2 + 12]);
    expect(first.notes).toEqual([1, 2]);
    expect(second.result).toEqual([1 + 11]);
    expect(second.notes).toEqual([1]); // the call went to the second user's import
    expect(second.instance).toBe(first.instance); // not instantiated again
  });

  it('restores a table the code writes', async () => {
    const module = await compiled(
      await guest('(elem declare func $two) (func (export "swap") (table.set (i32.const 0) (ref.func $two)))'),
    );
    const recycler = new CoreRecycler(true);
    const first = await use(recycler, module, (guest) => {
      guest.swap?.();
      return guest.first();
    });
    const second = await use(recycler, module, (guest) => guest.first());
    expect(first.result).toBe(2);
    expect(second.result).toBe(1);
    expect(second.instance).toBe(first.instance);
  });

  it('instantiates again when the memory grew (a memory does not shrink)', async () => {
    const module = await compiled(await guest());
    const recycler = new CoreRecycler(true);
    const first = await use(recycler, module, (guest) => [guest.bump(), guest.grow()]);
    const second = await use(recycler, module, (guest) => [guest.bump(), guest.grow()]);
    expect(first.result).toEqual([12, 1]);
    expect(second.result).toEqual([12, 1]);
    expect(second.instance).not.toBe(first.instance);
  });

  it('after a trap the next use starts clean', async () => {
    const module = await compiled(await guest('(func (export "swap") (call $note (i32.const 0)) unreachable)'));
    const recycler = new CoreRecycler(true);
    await expect(
      use(recycler, module, (guest) => {
        guest.bump();
        guest.swap?.();
      }),
    ).rejects.toThrow('unreachable');
    expect((await use(recycler, module, (guest) => guest.bump())).result).toBe(12);
  });

  it('a disabled recycler, or a module with a start function or a passive segment, instantiates every time', async () => {
    const plain = await compiled(await guest());
    const disabled = new CoreRecycler(false);
    const a = await use(disabled, plain, (guest) => guest.bump());
    const b = await use(disabled, plain, (guest) => guest.bump());
    expect(b.instance).not.toBe(a.instance);
    for (const extra of ['(start $one_unit) (func $one_unit)', '(data $passive "x")']) {
      const bytes = await guest(extra);
      expect(exposeInstanceState(bytes)).toBe(bytes);
    }
  });
});

describe('a module that exports its table (QuickJS: another module of the component writes it)', () => {
  const withTable = () => guest('(export "table" (table 0))');

  it('is kept where V8 writes a shared table cheaply (V8 13, Node 24)', async () => {
    const bytes = await withTable();
    expect(isResettable(await compileModule(exposeInstanceState(bytes, true)))).toBe(true);
  });

  it('is instantiated afresh where every write updates each instance that ever imported the table (V8 12, Node 22)', async () => {
    const bytes = await withTable();
    expect(exposeInstanceState(bytes, false)).toBe(bytes);
  });
});

describe('CoreRecycler under concurrent uses', () => {
  it('keeps at most 4 core instances per module; more uses at once get plain ones, still clean', async () => {
    const module = await compiled(await guest());
    const recycler = new CoreRecycler(true);
    const leases = Array.from({ length: 6 }, () => recycler.lease());
    const instances = await Promise.all(leases.map((lease) => lease.instantiate(module, { host: { note: () => {} } })));
    expect(instances.map((instance) => (instance.exports as unknown as Exports).bump())).toEqual(Array(6).fill(12));
    for (const lease of leases) lease.release();
    const again = await Promise.all(Array.from({ length: 6 }, () => use(recycler, module, (guest) => guest.bump())));
    expect(again.map(({ result }) => result)).toEqual(Array(6).fill(12));
    const reused = again.filter(({ instance }) => instances.includes(instance));
    expect(reused).toHaveLength(4);
  });
});
