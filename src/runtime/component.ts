import type { InstanceMode } from '../app/model.ts';
import type { CloudEvent } from '../event.ts';
import type { WasmModule } from './wasm.ts';

/**
 * Which world a component implements, read from its exports (never declared):
 * - `event`: `spindle:event/handler` `handle` (the common interface, every trigger)
 * - `spin-redis`: `fermyon:spin/inbound-redis` `handle-message`
 * - `spin-http`: `fermyon:spin/inbound-http` `handle-request`
 * - `wasi-http`: `wasi:http/incoming-handler@0.2.x` `handle`
 * - `timer`: a top-level `handle-timer-request: func()`
 * - `wagi`: a WASI preview1 core module exporting `_start` (not a component)
 */
export type World = 'event' | 'spin-redis' | 'spin-http' | 'wasi-http' | 'timer' | 'wagi';

/** The exports of one instance, keyed as jco names them (e.g. `handler`, `inboundRedis`). */
export type GuestExports = Record<string, unknown>;

/** How `withInstance` gets its instance when the pool is not right for a world. */
export interface InstanceOptions {
  /** A fresh instance, used once and dropped, whatever the component's mode. */
  fresh?: boolean;
  /**
   * Host imports replacing the runtime's, keyed as jco's glue looks them up (unversioned,
   * e.g. `wasi:http/types`). Implies `fresh`: such an instance is never pooled.
   */
  imports?: Record<string, unknown>;
}

/** A component's bounds, resolved (its manifest's, else the runtime's defaults). */
export interface ComponentLimits {
  /** How long one invocation may run before it is stopped (`timeout_ms`). */
  readonly timeoutMs: number;
  /** What the guest may print per invocation, stdout and stderr together (`max_output_kb`). */
  readonly maxOutputBytes: number;
}

/** A loaded, compiled component, ready to be invoked. */
export interface Component {
  readonly id: string;
  readonly worlds: ReadonlySet<World>;
  readonly instances: InstanceMode;
  readonly limits: ComponentLimits;

  /**
   * For `wagi` only: the compiled WASI preview1 module, to run with node:wasi. A Wagi
   * module is not a component: `handle` and `withInstance` reject for it.
   */
  readonly coreModule?: WasmModule;

  /**
   * Invoke `spindle:event/handler.handle`. Resolves with the emitted events; rejects with
   * a ComponentError (`invalid`, `retry`, or `trap` when the guest trapped or threw).
   */
  handle(event: CloudEvent): Promise<CloudEvent[]>;

  /**
   * Run `fn` against the exports of an instance (fresh or reused, per `instances`). A
   * throw from `fn` discards that instance: a trapped instance is never reused.
   * For triggers that speak another world (Spin HTTP, Spin Redis, timer, WASI HTTP).
   * With `options.fresh` or `options.imports`, a fresh instance is used once (a WASI HTTP
   * guest built by componentize-js answers a single request per instance).
   */
  withInstance<T>(fn: (exports: GuestExports) => T | Promise<T>, options?: InstanceOptions): Promise<T>;

  /** What its pool holds now (workers or instances busy and idle, events waiting), for metrics. */
  load?(): PoolLoad;

  close(): Promise<void>;
}

/** What a component's pool holds now: workers (or instances) busy and idle, and events waiting. */
export interface PoolLoad {
  busy: number;
  idle: number;
  waiting: number;
}
