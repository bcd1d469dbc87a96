/** Reading and writing the binary format of core wasm modules (for the rewrites done before compiling). */

/** A cursor over a module's bytes. */
export class Reader {
  readonly bytes: Uint8Array;
  offset: number;

  constructor(bytes: Uint8Array, offset: number) {
    this.bytes = bytes;
    this.offset = offset;
  }

  byte(): number {
    const value = this.bytes[this.offset++];
    if (value === undefined) throw new Error('truncated wasm module');
    return value;
  }

  /** An unsigned LEB128 (also read for memory64 limits: page counts fit a double exactly). */
  u32(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
  }

  /** Skips a signed LEB128 (an immediate whose value does not matter here). */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }

  skip(count: number): void {
    this.offset += count;
    if (this.offset > this.bytes.length) throw new Error('truncated wasm module');
  }
}

/** `value` as an unsigned LEB128. */
export function leb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return out;
}

/** Where one section of a module lies: its id byte at `start`, its content `[contentStart, end)`. */
export interface SectionSpan {
  id: number;
  start: number;
  contentStart: number;
  end: number;
}

/** The sections of a module, in order. */
export function* sections(bytes: Uint8Array): Generator<SectionSpan> {
  const reader = new Reader(bytes, 8); // after the magic number and version
  while (reader.offset < bytes.length) {
    const start = reader.offset;
    const id = reader.byte();
    const size = reader.u32();
    const contentStart = reader.offset;
    const end = contentStart + size;
    yield { id, start, contentStart, end };
    reader.offset = end;
  }
}

/** `bytes` with the section at `span` replaced by one of the same id holding `content`. */
export function replaceSection(bytes: Uint8Array, span: SectionSpan, content: number[]): Uint8Array {
  const section = [span.id, ...leb(content.length), ...content];
  const out = new Uint8Array(span.start + section.length + (bytes.length - span.end));
  out.set(bytes.subarray(0, span.start));
  out.set(section, span.start);
  out.set(bytes.subarray(span.end), span.start + section.length);
  return out;
}
