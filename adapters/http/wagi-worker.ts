/**
 * One Wagi run on a thread of its own (wagi-executor.ts starts it). node:wasi runs a
 * module synchronously: on the main thread a module that never returns would hold every
 * request and trigger of the app; here it holds this thread only, which the executor
 * terminates at the component's deadline.
 */
import { closeSync, openSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { parentPort, workerData } from 'node:worker_threads';
import type { WasmModule } from '../../src/adapter.ts';

export interface WagiRun {
  module: WasmModule;
  entrypoint: string;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  /** Paths of the files standing for the module's stdio. */
  files: Record<'stdin' | 'stdout' | 'stderr', string>;
}

/** What the run came to: the module's exit code, or no such entry point. */
export type WagiResult = { exitCode: number } | { missingEntrypoint: true };

interface WasmInstance {
  exports: Record<string, unknown>;
}
const wasm = (
  globalThis as unknown as {
    WebAssembly: { instantiate(module: WasmModule, imports: object): Promise<WasmInstance> };
  }
).WebAssembly;

async function run({ module, entrypoint, args, env, preopens, files }: WagiRun): Promise<WagiResult> {
  const fds = {
    stdin: openSync(files.stdin, 'r'),
    stdout: openSync(files.stdout, 'w+'),
    stderr: openSync(files.stderr, 'w+'),
  };
  try {
    const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true, ...fds });
    const instance = await wasm.instantiate(module, wasi.getImportObject());
    const entry = instance.exports[entrypoint];
    if (typeof entry !== 'function') return { missingEntrypoint: true };
    // node:wasi runs a command through `_start`: present the chosen entrypoint as such.
    return { exitCode: wasi.start({ exports: { memory: instance.exports.memory, _start: entry } }) };
  } finally {
    for (const fd of Object.values(fds)) closeSync(fd);
  }
}

// A trap rejects: the worker's 'error' event carries it to the executor.
parentPort?.postMessage(await run(workerData as WagiRun));
