/**
 * The few WebAssembly JS API pieces the runtime uses. tsconfig's libs (es2023 + node)
 * do not declare the `WebAssembly` global (only lib.dom does), so it is typed here
 * rather than pulling the DOM types into every file.
 */
export interface WasmModule {
  readonly [Symbol.toStringTag]: string;
}

/** A guest's linear memory: `buffer` is replaced (the old one detached) when it grows. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** A core instance, as `WebAssembly.instantiate(module, imports)` resolves. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports?: Record<string, unknown>): Promise<WasmInstance>;
  Module: { exports(module: WasmModule): { name: string; kind: string }[] };
  Memory: abstract new (...args: never[]) => WasmMemory;
}

const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compile core wasm once; the result can be instantiated any number of times. */
export function compileModule(bytes: Uint8Array): Promise<WasmModule> {
  return api.compile(bytes);
}

/** Instantiate a compiled core module (what jco's glue calls `instantiateCore`). */
export function instantiateModule(module: WasmModule, imports?: Record<string, unknown>): Promise<WasmInstance> {
  return api.instantiate(module, imports);
}

export function isMemory(value: unknown): value is WasmMemory {
  return value instanceof api.Memory;
}

export function moduleExports(module: WasmModule): string[] {
  return api.Module.exports(module).map((entry) => entry.name);
}
