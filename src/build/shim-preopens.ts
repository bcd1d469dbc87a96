/**
 * Lets jco and componentize-js read host files through preview2-shim. Since 0.26 the shim
 * no longer pre-opens '/', and both read WIT and sources through it: without this they
 * fail with "No such file or directory (os error 44)" (WASM-NOTES). It sets the shim's
 * process-wide default preopens; spindle's runtime never uses those defaults (each
 * component gets its own), so widening them does not leak the host filesystem into guests.
 */
export async function openHostRoot(): Promise<void> {
  const shim = await import('@bytecodealliance/preview2-shim/filesystem');
  // Typed by hand: the package's `types` condition resolves to the browser declarations.
  const { _setPreopens } = shim as unknown as { _setPreopens(preopens: Record<string, string>): void };
  _setPreopens({ '/': '/' });
}
