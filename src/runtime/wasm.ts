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

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: { exports(module: WasmModule): { name: string; kind: string }[] };
}

const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compile core wasm once; the result can be instantiated any number of times. */
export function compileModule(bytes: Uint8Array): Promise<WasmModule> {
  return api.compile(bytes);
}

export function moduleExports(module: WasmModule): string[] {
  return api.Module.exports(module).map((entry) => entry.name);
}
