/**
 * Whether a module's code can change one of its tables: decodes every instruction of the
 * code section (core spec 5.4, with the bulk-memory, reference-types, SIMD, threads,
 * tail-call and multi-memory extensions) looking for table.set, table.fill, table.copy,
 * table.init and table.grow. An instruction it does not know answers "yes", so a "no" is
 * a proof: with no table exported or imported, such a module's tables keep the entries
 * its element segments gave them for the instance's whole life.
 */
import type { Reader } from './wasm-bytes.ts';

class Unknown extends Error {}

/** Reads the content of a code section. */
export function codeWritesTables(reader: Reader): boolean {
  try {
    const count = reader.u32();
    for (let i = 0; i < count; i++) {
      const size = reader.u32();
      const end = reader.offset + size;
      const locals = reader.u32();
      for (let j = 0; j < locals; j++) {
        reader.u32();
        skipValueType(reader);
      }
      while (reader.offset < end) if (writesTable(reader)) return true;
    }
    return false;
  } catch (error) {
    if (error instanceof Unknown) return true;
    throw error;
  }
}

function skipValueType(reader: Reader): void {
  const type = reader.byte();
  if (type === 0x63 || type === 0x64) reader.skipLeb(); // (ref null? heaptype)
}

function skipBlockType(reader: Reader): void {
  const first = reader.bytes[reader.offset];
  if (first === 0x40 || (first !== undefined && first >= 0x6f && first <= 0x7f)) reader.offset += 1;
  else if (first === 0x63 || first === 0x64) skipValueType(reader);
  else reader.skipLeb(); // a type index (s33)
}

function skipMemarg(reader: Reader): void {
  const align = reader.u32();
  if (align & 0x40) reader.u32(); // multi-memory: a memory index follows
  reader.u32(); // offset
}

/** Decodes one instruction; true when it writes a table. */
function writesTable(reader: Reader): boolean {
  const opcode = reader.byte();
  if (opcode === 0x26) return true; // table.set
  if (opcode === 0xfc) return miscWritesTable(reader);
  if (opcode === 0xfd) {
    skipSimd(reader);
    return false;
  }
  if (opcode === 0xfe) {
    const sub = reader.u32();
    if (sub === 0x03)
      reader.byte(); // atomic.fence
    else skipMemarg(reader);
    return false;
  }
  if (opcode >= 0x28 && opcode <= 0x3e) {
    skipMemarg(reader);
    return false;
  }
  if (opcode >= 0x45 && opcode <= 0xc4) return false; // numeric instructions
  switch (opcode) {
    case 0x00: // unreachable, nop
    case 0x01:
    case 0x05: // else
    case 0x0b: // end
    case 0x0f: // return
    case 0x1a: // drop, select
    case 0x1b:
    case 0xd1: // ref.is_null
      return false;
    case 0x02: // block, loop, if
    case 0x03:
    case 0x04:
      skipBlockType(reader);
      return false;
    case 0x0c: // br, br_if
    case 0x0d:
    case 0x10: // call, return_call
    case 0x12:
    case 0x20: // local.get/set/tee, global.get/set
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25: // table.get
    case 0x3f: // memory.size, memory.grow
    case 0x40:
    case 0xd2: // ref.func
      reader.u32();
      return false;
    case 0x11: // call_indirect, return_call_indirect
    case 0x13:
      reader.u32();
      reader.u32();
      return false;
    case 0x0e: {
      // br_table
      const labels = reader.u32();
      for (let i = 0; i <= labels; i++) reader.u32();
      return false;
    }
    case 0x1c: {
      // select with types
      const types = reader.u32();
      for (let i = 0; i < types; i++) skipValueType(reader);
      return false;
    }
    case 0x41: // i32.const, i64.const
    case 0x42:
    case 0xd0: // ref.null
      reader.skipLeb();
      return false;
    case 0x43:
      reader.skip(4);
      return false;
    case 0x44:
      reader.skip(8);
      return false;
    default:
      throw new Unknown();
  }
}

/** The 0xfc prefix: saturating truncations and bulk memory/table instructions. */
function miscWritesTable(reader: Reader): boolean {
  const sub = reader.u32();
  if (sub <= 7) return false; // i32/i64.trunc_sat_*
  switch (sub) {
    case 8: // memory.init, memory.copy
    case 10:
      reader.u32();
      reader.u32();
      return false;
    case 9: // data.drop, memory.fill, elem.drop, table.size
    case 11:
    case 13:
    case 16:
      reader.u32();
      return false;
    case 12: // table.init, table.copy, table.grow, table.fill
    case 14:
    case 15:
    case 17:
      return true;
    default:
      throw new Unknown();
  }
}

/** The 0xfd prefix (fixed-width SIMD): which immediates each instruction has. */
function skipSimd(reader: Reader): void {
  const sub = reader.u32();
  if (sub <= 11 || sub === 92 || sub === 93)
    skipMemarg(reader); // loads and stores
  else if (sub === 12 || sub === 13)
    reader.skip(16); // v128.const, i8x16.shuffle
  else if (sub >= 21 && sub <= 34)
    reader.byte(); // extract/replace lane
  else if (sub >= 84 && sub <= 91) {
    skipMemarg(reader); // load/store lane
    reader.byte();
  } else if (sub > 275) throw new Unknown(); // past the relaxed-SIMD opcodes
}
