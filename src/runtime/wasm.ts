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
  Memory: abstract new (...args: never[]) => WasmMemory;
  Table: new (descriptor: { element: 'anyfunc'; initial: number }) => WasmTable;
  Module: {
    new (bytes: Uint8Array): WasmModule;
    exports(module: WasmModule): { name: string; kind: string }[];
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, imports?: Record<string, unknown>) => WasmInstance;
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

/** A table as the JS API exposes it (funcref or externref elements). */
export interface WasmTable {
  readonly length: number;
  get(index: number): unknown;
  set(index: number, value: unknown): void;
}

/** A global as the JS API exposes it; `value` is writable when the global is mutable. */
export interface WasmGlobal {
  value: unknown;
}

export function moduleImports(module: WasmModule): { module: string; name: string }[] {
  return api.Module.imports(module);
}

/** An empty funcref table of `length` elements. */
export function newFuncTable(length: number): WasmTable {
  return new api.Table({ element: 'anyfunc', initial: length });
}

/** Compile and instantiate a small module synchronously (V8 allows it up to 4 KB). */
export function instantiateSmall(bytes: Uint8Array, imports: Record<string, unknown>): WasmInstance {
  return new api.Instance(new api.Module(bytes), imports);
}
