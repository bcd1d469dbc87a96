import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.ts';

/** A stand-in for stdout that keeps what is written. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  const out = { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { out, written };
}

describe('build progress', () => {
  it('writes whole lines, each step ending with its seconds, when not on a terminal', () => {
    const { out, written } = stream(false);
    const progress = new Progress({ out });
    progress.step('Building a');
    progress.done();
    progress.step('Building b');
    progress.fail();
    expect(written.join('')).toMatch(
      /^Building a\.\.\.\nBuilding a \(\d+\.\d s\)\nBuilding b\.\.\.\nBuilding b: failed \(\d+\.\d s\)\n$/,
    );
  });

  it('redraws the current step in place on a terminal, unless told not to', () => {
    const live = stream(true);
    const progress = new Progress({ out: live.out });
    progress.step('Componentizing x');
    progress.done('Built x');
    expect(live.written[0]).toMatch(/^\r. Componentizing x 0\.\d s/);
    const last = live.written.at(-1) ?? '';
    expect(last.startsWith('\rBuilt x (')).toBe(true);
    expect(last.endsWith(' s)\u001b[K\n')).toBe(true); // the rest of the line cleared

    const lines = stream(true);
    const plain = new Progress({ out: lines.out, live: false });
    plain.step('Building a');
    plain.done();
    expect(lines.written.join('')).not.toContain('\r');
  });
});
