/**
 * What a .wasm file is, from its 8-byte preamble: `\0asm` then a version. A core module
 * has version 1 (`01 00 00 00`); a component has version 0x0d and layer 1
 * (`0d 00 01 00`, component-model Binary.md).
 */
export type BinaryKind = 'component' | 'module';

export function binaryKind(bytes: Uint8Array): BinaryKind | undefined {
  if (bytes.length < 8) return undefined;
  const header = new DataView(bytes.buffer, bytes.byteOffset, 8);
  if (header.getUint32(0) !== 0x0061736d) return undefined; // "\0asm"
  const version = header.getUint16(4, true);
  const layer = header.getUint16(6, true);
  if (layer === 0 && version === 1) return 'module';
  if (layer === 1) return 'component';
  return undefined;
}
