import type { FileMount } from '../app/model.ts';
import type { GuestExports } from './component.ts';
import { LineBuffer } from './guest-output.ts';
import type { Instance } from './instance-pool.ts';
import { spinVariablesImport } from './spin-variables.ts';
import { wasiImports } from './wasi.ts';
import type { WasmModule } from './wasm.ts';

/** The `instantiate` export of jco's glue (`instantiation: 'async'`). */
export type Instantiate = (
  getCoreModule: (name: string) => WasmModule,
  imports: Record<string, unknown>,
) => Promise<GuestExports>;

export interface InstanceFactoryOptions {
  instantiate: Instantiate;
  /** Compiled core modules by the file name the glue asks for. */
  modules: ReadonlyMap<string, WasmModule>;
  environment: Record<string, string>;
  files: FileMount[];
  variables: (name: string) => string | undefined;
  /** One whole line the guest wrote to stdout or stderr. */
  log(stream: 'stdout' | 'stderr', line: string): void;
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
  return async (overrides = {}) => {
    const stdout = new LineBuffer((line) => options.log('stdout', line));
    const stderr = new LineBuffer((line) => options.log('stderr', line));
    const imports = {
      ...wasiImports({ environment: options.environment, files: options.files, stdout, stderr }),
      ...spinVariablesImport(options.variables),
      ...overrides,
    };
    const exports = await options.instantiate(getCoreModule, imports);
    return {
      exports,
      settle() {
        stdout.flush();
        stderr.flush();
      },
    };
  };
}
