/**
 * Fresh component instances without instantiating their big core module every time.
 * Instantiating StarlingMonkey's core module is most of a fresh instance's cost: V8 maps a
 * new linear memory and copies ~2.7 MB of data segments into it (page faults on ~9 MB),
 * fills a function table, and later GC unmaps it all. A core instance whose module
 * exposes its whole state (instance-state.ts) is instead kept when its component instance
 * is done and, for the next one, put back into the state it had right after
 * instantiation: the memory pages that differ from a snapshot are copied back, mutable
 * globals and table entries restored. Instantiation ran no code (no start function), so
 * that state is exactly what instantiating again would build. Its imports go through
 * trampolines that are pointed at the new component instance's imports, so the jco glue
 * and the other core instances (small: shims, the WASI adapter) are made anew as before
 * and hold no state from an earlier use. A core instance whose memory or table grew
 * cannot be put back (a memory does not shrink) and is dropped.
 */
import { isResettable, STATE_EXPORT } from './instance-state.ts';
import {
  instantiateModule,
  instantiateSmall,
  moduleImports,
  newFuncTable,
  type WasmGlobal,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
  type WasmTable,
} from './wasm.ts';

/** Compared and copied back per page: a use writes to few of them. */
const PAGE = 65_536;
/**
 * Resettable core instances per module, kept or in use, for component instances used at
 * the same time. Past it (a burst of concurrent uses) a core module is instantiated plainly
 * and dropped after its use: a snapshot for each would only add memory.
 */
const MAX_KEPT = 4;

type HostFunction = (...args: unknown[]) => unknown;

/** The core instances of one component's modules, kept between its fresh instances. */
export class CoreRecycler {
  readonly #kept = new Map<WasmModule, ResettableCore[]>();
  /** Resettable core instances alive per module: kept, or leased and not yet given back. */
  readonly #alive = new Map<WasmModule, number>();
  readonly #resettable = new WeakMap<WasmModule, boolean>();
  readonly #enabled: boolean;

  /** A disabled recycler instantiates every core module afresh (for instances that live long). */
  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Core instances for one component instance; `release` hands them back. */
  lease(): CoreLease {
    return new CoreLease(this);
  }

  resettable(module: WasmModule): boolean {
    if (!this.#enabled) return false;
    let known = this.#resettable.get(module);
    if (known === undefined) {
      known = isResettable(module);
      this.#resettable.set(module, known);
    }
    return known;
  }

  /** A kept core instance of `module`, back in its initial state; `undefined` if none. */
  take(module: WasmModule): ResettableCore | undefined {
    const kept = this.#kept.get(module);
    for (let core = kept?.pop(); core !== undefined; core = kept?.pop()) {
      if (core.reset()) return core;
      this.#alive.set(module, (this.#alive.get(module) ?? 1) - 1);
    }
    return undefined;
  }

  /** Whether a new resettable core instance of `module` may be made (then counted as alive). */
  admit(module: WasmModule): boolean {
    const alive = this.#alive.get(module) ?? 0;
    if (alive >= MAX_KEPT) return false;
    this.#alive.set(module, alive + 1);
    return true;
  }

  /** A new resettable core instance, admitted before. */
  async instantiate(module: WasmModule, targets: HostFunction[]): Promise<ResettableCore> {
    try {
      return await ResettableCore.instantiate(module, targets);
    } catch (error) {
      this.#alive.set(module, (this.#alive.get(module) ?? 1) - 1);
      throw error;
    }
  }

  give(module: WasmModule, core: ResettableCore): void {
    const kept = this.#kept.get(module) ?? [];
    this.#kept.set(module, kept);
    kept.push(core);
  }
}

export class CoreLease {
  readonly #recycler: CoreRecycler;
  readonly #taken: [WasmModule, ResettableCore][] = [];

  constructor(recycler: CoreRecycler) {
    this.#recycler = recycler;
  }

  /** What the jco glue calls `instantiateCore`. */
  async instantiate(module: WasmModule, imports: Record<string, unknown> = {}): Promise<WasmInstance> {
    const targets = this.#recycler.resettable(module) ? importedFunctions(module, imports) : undefined;
    if (targets === undefined) return instantiateModule(module, imports);
    let core = this.#recycler.take(module);
    if (core !== undefined) core.bind(targets);
    else if (this.#recycler.admit(module)) core = await this.#recycler.instantiate(module, targets);
    else return instantiateModule(module, imports);
    this.#taken.push([module, core]);
    return core.instance;
  }

  /** The component instance is done for good: its core instances may serve the next one. */
  release(): void {
    for (const [module, core] of this.#taken.splice(0)) this.#recycler.give(module, core);
  }
}

/** The imported functions in `module`'s import order; `undefined` if one is not a plain function. */
function importedFunctions(module: WasmModule, imports: Record<string, unknown>): HostFunction[] | undefined {
  const targets: HostFunction[] = [];
  for (const entry of moduleImports(module)) {
    const target = (imports[entry.module] as Record<string, unknown> | undefined)?.[entry.name];
    if (typeof target !== 'function') return undefined;
    targets.push(target as HostFunction);
  }
  return targets;
}

interface MemorySnapshot {
  memory: WasmMemory;
  pages: Uint8Array[];
  byteLength: number;
}

/** A core instance and a snapshot of the state it was instantiated with. */
class ResettableCore {
  readonly instance: WasmInstance;
  readonly #targets: HostFunction[];
  readonly #memories: MemorySnapshot[] = [];
  readonly #globals: { global: WasmGlobal; value: unknown }[] = [];
  readonly #tables: TableSnapshot[] = [];

  private constructor(instance: WasmInstance, targets: HostFunction[]) {
    this.instance = instance;
    this.#targets = targets;
    for (const [name, value] of Object.entries(instance.exports)) {
      if (!name.startsWith(STATE_EXPORT)) continue;
      const kind = name.slice(STATE_EXPORT.length).split(':')[0];
      if (kind === 'memory') this.#memories.push(snapshotMemory(value as WasmMemory));
      else if (kind === 'global')
        this.#globals.push({ global: value as WasmGlobal, value: (value as WasmGlobal).value });
      else if (kind === 'table') this.#tables.push(snapshotTable(value as WasmTable));
    }
  }

  static async instantiate(module: WasmModule, targets: HostFunction[]): Promise<ResettableCore> {
    const trampolines: Record<string, Record<string, HostFunction>> = {};
    const current = [...targets];
    for (const [index, entry] of moduleImports(module).entries()) {
      const functions = trampolines[entry.module] ?? {};
      trampolines[entry.module] = functions;
      functions[entry.name] = (...args) => (current[index] as HostFunction)(...args);
    }
    // Nothing runs between instantiation and the snapshot: the module has no start function.
    return new ResettableCore(await instantiateModule(module, trampolines), current);
  }

  /** Calls to the imports go to `targets` (the new component instance's) from now on. */
  bind(targets: HostFunction[]): void {
    this.#targets.splice(0, this.#targets.length, ...targets);
  }

  /** Back to the state right after instantiation; false when it cannot be (a memory or table grew). */
  reset(): boolean {
    if (this.#memories.some(({ memory, byteLength }) => memory.buffer.byteLength !== byteLength)) return false;
    if (this.#tables.some(({ table, length }) => table.length !== length)) return false;
    for (const { memory, pages } of this.#memories) {
      const buffer = memory.buffer;
      for (const [index, page] of pages.entries()) {
        const live = new Uint8Array(buffer, index * PAGE, page.length);
        if (Buffer.compare(page, live) !== 0) live.set(page);
      }
    }
    for (const { global, value } of this.#globals) global.value = value;
    for (const { restore, length } of this.#tables) restore(length);
    return true;
  }
}

/** The pages of a snapshot that hold only zeros (most of a fresh memory) share this one. */
const ZERO_PAGE = new Uint8Array(PAGE);

function snapshotMemory(memory: WasmMemory): MemorySnapshot {
  const live = new Uint8Array(memory.buffer);
  const pages: Uint8Array[] = [];
  for (let at = 0; at < live.length; at += PAGE) {
    const page = live.subarray(at, at + PAGE);
    pages.push(page.length === PAGE && Buffer.compare(page, ZERO_PAGE) === 0 ? ZERO_PAGE : page.slice());
  }
  return { memory, pages, byteLength: live.length };
}

interface TableSnapshot {
  table: WasmTable;
  length: number;
  /** Copies the snapshot's entries `[0, length)` back into the table. */
  restore: (length: number) => void;
}

/**
 * `(module (import "s" "l" (table 0 funcref)) (import "s" "s" (table 0 funcref))
 *   (func (export "r") (param i32) (table.copy 0 1 (i32.const 0) (i32.const 0) (local.get 0))))`:
 * one bulk copy in V8, where comparing entry by entry from JS costs a call and often an
 * allocation per entry (StarlingMonkey's table has ~7,700).
 */
const TABLE_COPY = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x05,
  0x01,
  0x60,
  0x01,
  0x7f,
  0x00, // types: (i32) -> ()
  0x02,
  0x11,
  0x02,
  0x01,
  0x73,
  0x01,
  0x6c,
  0x01,
  0x70,
  0x00,
  0x00,
  0x01,
  0x73,
  0x01,
  0x73,
  0x01,
  0x70,
  0x00,
  0x00, // imports
  0x03,
  0x02,
  0x01,
  0x00, // functions
  0x07,
  0x05,
  0x01,
  0x01,
  0x72,
  0x00,
  0x00, // exports: "r"
  0x0a,
  0x0e,
  0x01,
  0x0c,
  0x00,
  0x41,
  0x00,
  0x41,
  0x00,
  0x20,
  0x00,
  0xfc,
  0x0e,
  0x00,
  0x01,
  0x0b, // code
]);

function snapshotTable(table: WasmTable): TableSnapshot {
  const length = table.length;
  const snapshot = newFuncTable(length);
  for (let index = 0; index < length; index++) snapshot.set(index, table.get(index));
  const { exports } = instantiateSmall(TABLE_COPY, { s: { l: table, s: snapshot } });
  return { table, length, restore: exports.r as (length: number) => void };
}
