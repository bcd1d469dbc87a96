/**
 * Caps the linear memories a core wasm module defines: each one's maximum becomes at
 * most `maxPages`, so that a `memory.grow` past it fails (returns -1) inside the guest,
 * which then traps. A module's memory type is fixed when it is compiled (an instance
 * cannot be given another maximum), so the cap is written into the module's bytes, once,
 * before compiling. Memories the module imports are left alone: they are defined, and
 * capped, by the module that exports them.
 */

import { leb, Reader, replaceSection, sections } from './wasm-bytes.ts';

/** A wasm page: 64 KiB. */
export const WASM_PAGE = 65_536;

/** The module's own memories ask for more than the cap at start (their minimum). */
export class MemoryCapTooSmall extends Error {
  override name = 'MemoryCapTooSmall';
  readonly minimumPages: number;

  constructor(minimumPages: number, maxPages: number) {
    super(
      `its linear memory starts at ${mb(minimumPages)} MB, more than the limit of ${mb(maxPages)} MB ` +
        '(raise memory_limit_mb)',
    );
    this.minimumPages = minimumPages;
  }
}

const MEMORY_SECTION = 5;
/** Limits flags (core spec 5.3.8, threads and memory64): bit 0 has-max, bit 1 shared, bit 2 i64. */
const HAS_MAX = 0x01;
const KNOWN_FLAGS = 0x07;

/** `bytes` with every memory it defines capped at `maxPages`; the same bytes when it defines none. */
export function capMemories(bytes: Uint8Array, maxPages: number): Uint8Array {
  for (const span of sections(bytes)) {
    if (span.id !== MEMORY_SECTION) continue;
    const content = cappedMemorySection(new Reader(bytes.subarray(span.contentStart, span.end), 0), maxPages);
    return replaceSection(bytes, span, content); // a module has at most one memory section
  }
  return bytes;
}

function cappedMemorySection(reader: Reader, maxPages: number): number[] {
  const count = reader.u32();
  const out = [...leb(count)];
  for (let i = 0; i < count; i++) {
    const flags = reader.byte();
    if ((flags & ~KNOWN_FLAGS) !== 0) {
      throw new Error(`memory #${i} has limits flags 0x${flags.toString(16)} that spindle cannot cap`);
    }
    const minimum = reader.u32();
    const maximum = flags & HAS_MAX ? reader.u32() : Number.POSITIVE_INFINITY;
    if (minimum > maxPages) throw new MemoryCapTooSmall(minimum, maxPages);
    out.push(flags | HAS_MAX, ...leb(minimum), ...leb(Math.min(maximum, maxPages)));
  }
  return out;
}

function mb(pages: number): number {
  return Math.ceil((pages * WASM_PAGE) / 2 ** 20);
}
