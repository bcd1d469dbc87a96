import type { InstanceMode } from '../app/model.ts';
import type { CloudEvent } from '../event.ts';
import type { GuestCallRef } from './guest-call.ts';
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
   * module is not a component: `handle` and `call` reject for it.
   */
  readonly coreModule?: WasmModule;

  /**
   * Invoke `spindle:event/handler.handle`. Resolves with the emitted events; rejects with
   * a ComponentError (`invalid`, `retry`, or `trap` when the guest trapped or threw).
   */
  handle(event: CloudEvent): Promise<CloudEvent[]>;

  /**
   * Run the adapter's guest call `ref` with `input` against an instance (fresh or reused,
   * per `instances` and the call) on one of the component's worker threads, with the
   * same deadline and memory limit as events (`threads = 0`: on the main thread, with no
   * deadline). For triggers that speak another world (Spin HTTP, Spin Redis, timer, WASI
   * HTTP). Resolves with the call's output; rejects with a ComponentError `trap` when the
   * guest trapped, threw, returned a WIT `err` (its value as the `payload` of the error's
   * `cause`, see `returnedErr`), or was stopped. A failed instance is never reused.
   */
  call<Input, Output>(ref: GuestCallRef<Input, Output>, input: Input): Promise<Output>;

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
