import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { InstanceMode } from '../app/model.ts';
import type { GuestExports, PoolLoad } from './component.ts';

/** One instantiation of a component. */
export interface Instance {
  readonly exports: GuestExports;
  /** Called after every use: emits the guest's partial output lines. */
  settle(): void;
  /** What an error thrown by a use means: a MemoryLimitExceeded for a trap at the memory cap, else the error. */
  explain(error: unknown): unknown;
  /** The instance will not be used again (a fresh one after its use, trapped or not). */
  release(): void;
}

/**
 * The default instance mode when a component does not choose one: 'reuse'.
 * Measured with `node bench/runtime/run.ts` (behaviours guest, componentize-js 0.23 /
 * StarlingMonkey, jco 1.35, Node 22, 2-core machine, quiet), per echo event:
 * - reused instance: median 0.07 ms on the main thread, 0.15 ms one at a time on a
 *   worker (the hand-over both ways); with 32 in flight ~10,000 events/s either way,
 *   ~13,700 with 2 workers;
 * - fresh instance + call: median 3.8 ms (main thread), 5.3 ms (worker), ~200 events/s
 *   (it was ~19 ms before the glue fix in transpile-cache.ts), i.e. 40-50x the CPU;
 *   since core-recycler.ts keeps StarlingMonkey's core instance and resets it, a fresh
 *   instance costs ~2.2 ms of CPU more than a reused one (was ~9.5 ms, GC included):
 *   still ~10x (bench/README.md, "Fresh instances").
 * A fresh instance per event would cap one process at a few hundred events/s on a
 * broker, so reuse is the default. Isolation stays one setting away (`instances =
 * "fresh"`) for components that keep per-event state in globals, and a trapped
 * instance is never reused in either mode.
 */
export const DEFAULT_INSTANCES: InstanceMode = 'reuse';

/** Idle instances kept for reuse (more exist only while async uses overlap). */
const MAX_IDLE = 8;

/**
 * Hands out instances per `mode`: 'fresh' instantiates for every use (Spin's isolation),
 * 'reuse' keeps instances that finished cleanly. An instance whose use threw is dropped.
 * In 'reuse' mode a use that finds no idle instance while one is being instantiated or
 * used waits for the next released one: guest calls are synchronous, so a burst of
 * events is served by one instance instead of one instantiation (and its memory) per
 * event.
 */
export class InstancePool {
  readonly mode: InstanceMode;
  readonly #create: () => Promise<Instance>;
  readonly #idle: Instance[] = [];
  readonly #waiters: ((instance: Instance | undefined) => void)[] = [];
  #creating = 0;
  /** Instances lent out to a use right now. */
  #busy = 0;
  #closed = false;

  constructor(mode: InstanceMode, create: () => Promise<Instance>) {
    this.mode = mode;
    this.#create = create;
  }

  /** Instances in use and kept idle, and uses waiting for one (a `reuse` pool hands one on). */
  get load(): PoolLoad {
    return { busy: this.#busy, idle: this.#idle.length, waiting: this.#waiters.length };
  }

  async use<T>(fn: (exports: GuestExports) => T | Promise<T>): Promise<T> {
    const instance = await this.#acquire();
    let result: T;
    try {
      result = await fn(instance.exports);
    } catch (error) {
      // Never reused; a waiter counting on it instantiates its own instead.
      this.#busy -= 1;
      this.#handOver(undefined);
      throw instance.explain(error);
    } finally {
      instance.settle();
      if (this.mode === 'fresh') instance.release();
    }
    this.#busy -= 1;
    if (this.mode === 'reuse') this.#handOver(instance);
    return result;
  }

  async #acquire(): Promise<Instance> {
    if (this.#closed) throw new Error('the component is closed');
    const idle = this.#idle.pop();
    if (idle !== undefined) return this.#lend(idle);
    // In 'reuse' mode wait for an instance being made or in use rather than make another:
    // a synchronous guest call gives it back within this turn of the event loop.
    if (this.mode === 'reuse' && (this.#creating > 0 || this.#busy > 0)) {
      const handed = await new Promise<Instance | undefined>((resolve) => {
        this.#waiters.push(resolve);
        if (this.#creating === 0) setImmediate(() => this.#unstall());
      });
      if (handed !== undefined) return this.#lend(handed);
      if (this.#closed) throw new Error('the component is closed');
    }
    this.#creating += 1;
    try {
      // Instantiating in a tight loop exhausts wasm memory ("Cannot allocate Wasm
      // memory", WASM-NOTES) unless GC gets a turn: yield to the event loop first.
      await yieldToEventLoop();
      return this.#lend(await this.#create());
    } catch (error) {
      this.#handOver(undefined);
      throw error;
    } finally {
      this.#creating -= 1;
      setImmediate(() => this.#unstall());
    }
  }

  #lend(instance: Instance): Instance {
    this.#busy += 1;
    return instance;
  }

  /**
   * A use that holds its instance across awaits must not stall the waiters: whoever is
   * still waiting a turn after an instantiation finished, or after they started waiting
   * on a busy instance, instantiates their own.
   */
  #unstall(): void {
    if (this.#creating === 0) for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  /** Give `instance` to the next waiter, or keep it idle; `undefined` just wakes one. */
  #handOver(instance: Instance | undefined): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(this.#closed ? undefined : instance);
    else if (instance !== undefined && !this.#closed && this.#idle.length < MAX_IDLE) this.#idle.push(instance);
  }

  close(): void {
    this.#closed = true;
    this.#idle.length = 0;
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }
}
