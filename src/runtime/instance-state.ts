/**
 * Makes a core module's whole instance state reachable from JS, so that an instance can
 * be put back into the state it had right after instantiation (core-recycler.ts) instead
 * of being instantiated again. A core instance's mutable state is its memories, tables,
 * mutable globals and the dropped flags of its segments (core spec 4.2.6); the rewrite
 * exports every memory and mutable global the module defines, and its tables unless
 * nothing can change them after instantiation (table-writes.ts), under names starting
 * with `spindle:state:`. A module is rewritten only when that is the whole state that a
 * use can change and its instantiation has no effect besides building it:
 * - it imports functions only (an imported memory, table or global belongs to another
 *   instance, which would keep its state);
 * - it has no start function (instantiating calls nothing);
 * - it has no passive data or element segments (`data.drop`/`elem.drop` cannot be undone);
 * - its globals are numbers or references (a v128 global cannot be read from JS), its
 *   tables hold funcref;
 * - on V8 before 13, it exports no table (see KEPT_TABLES_STAY_CHEAP).
 * Any other module is returned unchanged and is instantiated afresh every time.
 */

import { codeWritesTables } from './table-writes.ts';
import { moduleExports, type WasmModule } from './wasm.ts';
import { leb, Reader, replaceSection, type SectionSpan, sections } from './wasm-bytes.ts';

export const STATE_EXPORT = 'spindle:state:';

const Section = {
  Import: 2,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Start: 8,
  Element: 9,
  Code: 10,
  Data: 11,
} as const;
const ExportKind = { Table: 1, Memory: 2, Global: 3 } as const;

/** Value types a global may have here (v128 and typed references are left out). */
const NUMBER_OR_REFERENCE = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f]);

/**
 * V8 before 13 (Node 22) updates, on every write to a table, each instance that ever
 * imported it until GC collects that instance. A kept instance's exported table, imported
 * anew by each fresh instance's other modules (QuickJS's runtime module), grows slower
 * with every use: 37 ms per fresh instance after a few hundred on Node 22, against ~1.6
 * ms on Node 24 (bench/README.md). There such a module is instantiated afresh.
 */
const KEPT_TABLES_STAY_CHEAP = Number(process.versions.v8.split('.')[0]) >= 13;

class NotResettable extends Error {}

/**
 * `bytes` with its instance state exported when it qualifies (see above), else `bytes`.
 * `keepExportedTables`: whether a module that exports a table may be kept (this V8's, by default).
 */
export function exposeInstanceState(bytes: Uint8Array, keepExportedTables = KEPT_TABLES_STAY_CHEAP): Uint8Array {
  try {
    return rewrite(bytes, keepExportedTables);
  } catch (error) {
    if (error instanceof NotResettable) return bytes;
    throw error;
  }
}

/** Whether `module` was compiled from bytes that `exposeInstanceState` rewrote. */
export function isResettable(module: WasmModule): boolean {
  return moduleExports(module).some((name) => name.startsWith(STATE_EXPORT));
}

function rewrite(bytes: Uint8Array, keepExportedTables: boolean): Uint8Array {
  const added: number[][] = [];
  let memories = 0;
  let tables: number[] = [];
  /** Whether anything but the element segments can change a table: then it is restored too. */
  let tablesChange = false;
  let exportSection: SectionSpan | undefined;
  for (const span of sections(bytes)) {
    const content = new Reader(bytes.subarray(span.contentStart, span.end), 0);
    switch (span.id) {
      case Section.Import:
        requireFunctionImports(content);
        break;
      case Section.Table:
        tables = countTables(content);
        break;
      case Section.Memory:
        memories = content.u32();
        added.push(...entries('memory', ExportKind.Memory, range(memories)));
        break;
      case Section.Global:
        added.push(...entries('global', ExportKind.Global, mutableGlobals(content)));
        break;
      case Section.Export:
        exportSection = span;
        if (exportsTable(content)) {
          if (!keepExportedTables) throw new NotResettable('exports a table, on V8 before 13');
          tablesChange = true;
        }
        break;
      case Section.Start:
        throw new NotResettable('start function');
      case Section.Element:
        requireActiveElements(content);
        break;
      case Section.Code:
        if (tables.length > 0 && codeWritesTables(content)) tablesChange = true;
        break;
      case Section.Data:
        requireActiveData(content);
        break;
    }
  }
  // Nothing worth keeping (the point is skipping a memory's initialisation), or no export
  // section to add to (every module that defines a memory in practice exports it).
  if (memories === 0 || exportSection === undefined) {
    throw new NotResettable('no memory or no export section');
  }
  if (tablesChange) added.push(...entries('table', ExportKind.Table, tables));
  const old = new Reader(bytes.subarray(exportSection.contentStart, exportSection.end), 0);
  const count = old.u32();
  const oldEntries = bytes.subarray(exportSection.contentStart + old.offset, exportSection.end);
  return replaceSection(bytes, exportSection, [...leb(count + added.length), ...oldEntries, ...added.flat()]);
}

function entries(what: string, kind: number, indices: number[]): number[][] {
  return indices.map((index) => {
    const name = new TextEncoder().encode(`${STATE_EXPORT}${what}:${index}`);
    return [...leb(name.length), ...name, kind, ...leb(index)];
  });
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function requireFunctionImports(reader: Reader): void {
  const count = reader.u32();
  for (let i = 0; i < count; i++) {
    reader.skip(reader.u32()); // module name
    reader.skip(reader.u32()); // field name
    if (reader.byte() !== 0) throw new NotResettable('imports a memory, table, global or tag');
    reader.u32(); // type index
  }
}

function countTables(reader: Reader): number[] {
  const count = reader.u32();
  for (let i = 0; i < count; i++) {
    // funcref only: core-recycler.ts restores a table by copying from a funcref table.
    if (reader.byte() !== 0x70) throw new NotResettable('table of references other than funcref');
    skipLimits(reader);
  }
  return range(count);
}

function exportsTable(reader: Reader): boolean {
  const count = reader.u32();
  let found = false;
  for (let i = 0; i < count; i++) {
    reader.skip(reader.u32());
    if (reader.byte() === ExportKind.Table) found = true;
    reader.u32();
  }
  return found;
}

function skipLimits(reader: Reader): void {
  const flags = reader.byte();
  reader.u32();
  if (flags & 0x01) reader.u32();
}

function mutableGlobals(reader: Reader): number[] {
  const count = reader.u32();
  const mutable: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!NUMBER_OR_REFERENCE.has(reader.byte())) throw new NotResettable('global of a type JS cannot hold');
    if (reader.byte() === 1) mutable.push(i);
    skipConstExpr(reader);
  }
  return mutable;
}

/** Element segment flags (core spec 5.5.12): 1 and 5 are passive, 3 and 7 declarative. */
function requireActiveElements(reader: Reader): void {
  const count = reader.u32();
  for (let i = 0; i < count; i++) {
    const flags = reader.u32();
    if (flags === 1 || flags === 5) throw new NotResettable('passive element segment');
    if (flags === 2 || flags === 6) reader.u32(); // table index
    if (flags === 0 || flags === 2 || flags === 4 || flags === 6) skipConstExpr(reader);
    if (flags === 2 || flags === 3 || flags === 6 || flags === 7) reader.byte(); // element kind or reference type
    const items = reader.u32();
    for (let j = 0; j < items; j++) {
      if (flags < 4) reader.u32();
      else skipConstExpr(reader);
    }
  }
}

/** Data segment flags (core spec 5.5.14): 0 active, 1 passive, 2 active with a memory index. */
function requireActiveData(reader: Reader): void {
  const count = reader.u32();
  for (let i = 0; i < count; i++) {
    const flags = reader.u32();
    if (flags === 1) throw new NotResettable('passive data segment');
    if (flags === 2) reader.u32();
    skipConstExpr(reader);
    reader.skip(reader.u32());
  }
}

/** A constant expression (core spec 3.3.12, with extended-const), up to its `end`. */
function skipConstExpr(reader: Reader): void {
  for (;;) {
    const opcode = reader.byte();
    switch (opcode) {
      case 0x0b: // end
        return;
      case 0x41: // i32.const
      case 0x42: // i64.const
      case 0xd0: // ref.null heaptype
        reader.skipLeb();
        break;
      case 0x43: // f32.const
        reader.skip(4);
        break;
      case 0x44: // f64.const
        reader.skip(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        reader.u32();
        break;
      case 0x6a: // i32.add, sub, mul
      case 0x6b:
      case 0x6c:
      case 0x7c: // i64.add, sub, mul
      case 0x7d:
      case 0x7e:
        break;
      default:
        throw new NotResettable(`constant expression opcode 0x${opcode.toString(16)}`);
    }
  }
}
