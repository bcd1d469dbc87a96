import { describe, expect, it } from 'vitest';
import { LineBuffer, OutputBudget } from '../../../src/runtime/guest-output.ts';

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

describe('OutputBudget (max_output_kb per event)', () => {
  it('keeps stdout and stderr together up to the limit, counts the rest, and starts over per event', () => {
    const lines: string[] = [];
    const budget = new OutputBudget(10);
    const stdout = new LineBuffer((line) => lines.push(`out: ${line}`), budget);
    const stderr = new LineBuffer((line) => lines.push(`err: ${line}`), budget);
    stdout.write(bytes('1234\n'));
    stderr.write(bytes('ab\n'));
    stdout.write(bytes('5678\n9'));
    stdout.flush();
    stderr.flush();
    expect(lines).toEqual(['out: 1234', 'err: ab', 'out: 56']);
    expect(budget.reset()).toBe(4);
    stdout.write(bytes('next\n'));
    expect(lines.at(-1)).toBe('out: next');
    expect(budget.reset()).toBe(0);
  });

  it('counts zeroes a guest asks for past the limit without allocating them', () => {
    const lines: string[] = [];
    const budget = new OutputBudget(4);
    const stdout = new LineBuffer((line) => lines.push(line), budget);
    stdout.writeZeroes(2n ** 62n);
    stdout.flush();
    expect(lines).toEqual(['\0\0\0\0']);
    expect(budget.reset()).toBe(2 ** 62 - 4);
  });
});
