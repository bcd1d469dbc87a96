/**
 * What the main thread and an event worker (event-worker.ts) say to each other. Every
 * message is structured-clone data: events cross as plain objects, `data` as bytes.
 */
import type { FileMount, InstanceMode } from '../app/model.ts';
import type { CloudEvent } from '../event.ts';
import type { Outcome } from './event-handler.ts';
import type { WasmModule } from './wasm.ts';

/** `workerData`: everything a worker needs to instantiate the component on its own. */
export interface WorkerSetup {
  componentId: string;
  /** file: URL of jco's cached glue module (exports `instantiate`). */
  glue: string;
  /** This worker's claim cells (worker-claim.ts). */
  cells: Int32Array;
  /** The core modules, compiled once by the main thread (posting one costs ~3 ms). */
  modules: [name: string, module: WasmModule][];
  /** The export key of `spindle:event/handler`. */
  handler: string;
  instances: InstanceMode;
  environment: Record<string, string>;
  files: FileMount[];
  /** The component's variables, already resolved. */
  variables: Record<string, string>;
}

/** Main -> worker: run `handle` on one event. */
export interface HandleRequest {
  id: number;
  /** Posted behind another call: run it only if the claim on this cell succeeds (worker-claim.ts); else -1. */
  cell: number;
  event: CloudEvent;
}

/** Worker -> main. Replies come in request order: a worker runs one event at a time. */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; outcome: Outcome }
  /** The guest trapped or threw: its instance is dropped; the worker lives on. */
  | { kind: 'trap'; id: number; message: string }
  | { kind: 'log'; stream: 'stdout' | 'stderr'; line: string };
