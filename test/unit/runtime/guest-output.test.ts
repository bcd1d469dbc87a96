import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../../src/runtime/guest-output.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('LineBuffer (guest stdout/stderr to log lines)', () => {
  it('emits one line per newline, however the writes are chunked', () => {
    const lines: string[] = [];
    const buffer = new LineBuffer((line) => lines.push(line));
    buffer.write(bytes('hel'));
    buffer.write(bytes('lo\nwor'));
    expect(lines).toEqual(['hello']);
    buffer.write(bytes('ld\r\n\nlast'));
    expect(lines).toEqual(['hello', 'world', '']);
    buffer.flush();
    expect(lines).toEqual(['hello', 'world', '', 'last']);
    buffer.flush();
    expect(lines).toHaveLength(4);
  });

  it('does not split a multi-byte character across writes', () => {
    const lines: string[] = [];
    const buffer = new LineBuffer((line) => lines.push(line));
    const encoded = bytes('é\n');
    buffer.write(encoded.subarray(0, 1));
    buffer.write(encoded.subarray(1));
    expect(lines).toEqual(['é']);
  });
});
