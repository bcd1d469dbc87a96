import type { FileMount } from '../app/model.ts';
import type { GuestExports } from './component.ts';
import { CoreRecycler } from './core-recycler.ts';
import { type GuestOutput, LineBuffer, OutputBudget } from './guest-output.ts';
import type { Instance } from './instance-pool.ts';
import { explainTrap } from './memory-limit.ts';
import type { OutboundConfig, OutboundNotes } from './outbound-http.ts';
import { spinHttpImport } from './spin-outbound-http.ts';
import { spinVariablesImport } from './spin-variables.ts';
import { wasiImports } from './wasi.ts';
import { isMemory, type WasmInstance, type WasmMemory, type WasmModule } from './wasm.ts';

/** The `instantiate` export of jco's glue (`instantiation: 'async'`). */
export type Instantiate = (
  getCoreModule: (name: string) => WasmModule,
  imports: Record<string, unknown>,
  instantiateCore?: (module: WasmModule, imports: Record<string, unknown>) => Promise<WasmInstance>,
) => Promise<GuestExports>;

export interface InstanceFactoryOptions {
  instantiate: Instantiate;
  /** Compiled core modules by the file name the glue asks for, their memories capped (memory-cap.ts). */
  modules: ReadonlyMap<string, WasmModule>;
  environment: Record<string, string>;
  files: FileMount[];
  variables: (name: string) => string | undefined;
  /** The cap of the modules' memories, in MB, to name it when a guest traps against it. */
  memoryLimitMb: number;
  /** What the guest may print per use (one event), stdout and stderr together. */
  maxOutputBytes: number;
  output: GuestOutput;
  outbound: OutboundConfig;
  /** Shared by the factory's instances: one thread runs one guest call at a time. */
  notes: OutboundNotes;
  /**
   * Instances are used once and released (`instances = "fresh"`): keep the core instances
   * that can be put back into their initial state for the next one (core-recycler.ts).
   */
  recycleCores: boolean;
}

/**
 * Makes instances of one component, each in its own WASI sandbox; `overrides` replace
 * host imports (keyed as the glue looks them up). The same on the main thread and in a
 * worker thread.
 */
export function instanceFactory(
  options: InstanceFactoryOptions,
): (overrides?: Record<string, unknown>) => Promise<Instance> {
  const getCoreModule = (name: string): WasmModule => {
    const module = options.modules.get(name);
    if (module === undefined) throw new Error(`jco glue asked for unknown core module ${name}`);
    return module;
  };
  const recycler = new CoreRecycler(options.recycleCores);
  return async (overrides = {}) => {
    const budget = new OutputBudget(options.maxOutputBytes);
    const stdout = new LineBuffer((line) => options.output.line('stdout', line), budget);
    const stderr = new LineBuffer((line) => options.output.line('stderr', line), budget);
    const imports = {
      ...wasiImports({
        environment: options.environment,
        files: options.files,
        stdout,
        stderr,
        outbound: options.outbound,
        notes: options.notes,
      }),
      ...spinVariablesImport(options.variables),
      'fermyon:spin/http': spinHttpImport(options.outbound, options.notes),
      ...overrides,
    };
    // The glue instantiates each core module through this: it keeps the memories they
    // export, to tell a trap at the memory cap from another.
    const memories: WasmMemory[] = [];
    const lease = recycler.lease();
    const instantiateCore = async (module: WasmModule, coreImports: Record<string, unknown>) => {
      const instance = await lease.instantiate(module, coreImports);
      memories.push(...Object.values(instance.exports).filter(isMemory));
      return instance;
    };
    const exports = await options.instantiate(getCoreModule, imports, instantiateCore);
    return {
      exports,
      settle() {
        stdout.flush();
        stderr.flush();
        const dropped = budget.reset();
        if (dropped > 0) options.output.dropped(dropped, budget.limitBytes);
      },
      explain: (error) => explainTrap(error, memories, options.memoryLimitMb),
      release: () => lease.release(),
    };
  };
}
