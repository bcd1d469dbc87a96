import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { InstanceMode } from '../app/model.ts';
import type { GuestExports } from './component.ts';

/** One instantiation of a component. */
export interface Instance {
  readonly exports: GuestExports;
  /** Called after every use: emits the guest's partial output lines. */
  settle(): void;
}

/**
 * The default instance mode when a component does not choose one: 'reuse'.
 * Measured on the 2-core dev machine with the behaviours guest (componentize-js 0.23,
 * jco 1.35, `node bench/runtime/run.ts`): a call on a reused instance costs ~0.1 ms,
 * a fresh instance + call ~10 ms, about 100x more, which caps one process at ~100
 * events/s. Fresh instances remain one setting away (`instances = "fresh"`) for
 * components that must not share state between events; a trapped instance is never
 * reused in either mode.
 */
export const DEFAULT_INSTANCES: InstanceMode = 'reuse';

/** Idle instances kept for reuse; concurrent events beyond this get extra instances. */
const MAX_IDLE = 8;

/**
 * Hands out instances per `mode`: 'fresh' instantiates for every use (Spin's isolation),
 * 'reuse' keeps instances that finished cleanly. An instance whose use threw is dropped.
 */
export class InstancePool {
  readonly mode: InstanceMode;
  readonly #create: () => Promise<Instance>;
  readonly #idle: Instance[] = [];
  #closed = false;

  constructor(mode: InstanceMode, create: () => Promise<Instance>) {
    this.mode = mode;
    this.#create = create;
  }

  async use<T>(fn: (exports: GuestExports) => T | Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the component is closed');
    const instance = this.#idle.pop() ?? (await this.#instantiate());
    let result: T;
    try {
      result = await fn(instance.exports);
    } finally {
      instance.settle();
    }
    // Reached only when fn did not throw: a failed instance is simply forgotten.
    if (this.mode === 'reuse' && !this.#closed && this.#idle.length < MAX_IDLE) this.#idle.push(instance);
    return result;
  }

  async #instantiate(): Promise<Instance> {
    // Instantiating in a tight loop exhausts wasm memory ("Cannot allocate Wasm memory",
    // WASM-NOTES) unless GC gets a turn: yield to the event loop before each one.
    await yieldToEventLoop();
    return this.#create();
  }

  close(): void {
    this.#closed = true;
    this.#idle.length = 0;
  }
}
