import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ComponentizeError, componentize } from '../../src/build/componentize.ts';

const wizerCache = join(
  fileURLToPath(new URL('../..', import.meta.url)),
  'node_modules',
  '.cache',
  'spindle-fixtures',
  'wizer',
);

describe('componentize', () => {
  it('builds a JS guest, then skips the build while its inputs are unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-componentize-'));
    const source = join(dir, 'echo.js');
    writeFileSync(source, 'export const handler = { handle(event) { return [event]; } };\n');
    const out = join(dir, 'echo.wasm');

    const first = await componentize({ source, out, cacheDir: wizerCache });
    expect(first.built).toBe(true);
    const builtAt = statSync(out).mtimeMs;
    const second = await componentize({ source, out, cacheDir: wizerCache });
    expect(second).toEqual({ ...first, built: false });
    expect(statSync(out).mtimeMs).toBe(builtAt);
  }, 120_000);

  it('names the source file when it is missing', async () => {
    const source = join(tmpdir(), 'no-such-guest.js');
    const error = await componentize({ source, out: join(tmpdir(), 'x.wasm') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentizeError);
    expect((error as Error).message).toBe(`componentize ${source}: cannot read the source file`);
  });

  it('names the source file and says why when the guest does not build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-componentize-'));
    const source = join(dir, 'broken.js');
    writeFileSync(source, 'export const handler = {\n  handle(event) {\n    return [event] +* 2;\n  },\n};\n');
    const error = await componentize({ source, out: join(dir, 'broken.wasm'), cacheDir: wizerCache }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ComponentizeError);
    expect((error as Error).message).toMatch(new RegExp(`^componentize ${source}: componentize-js failed`));
    // Where and what, not only how many errors componentize-js found.
    expect((error as Error).message).toContain(`${source}:3`);
    expect((error as Error).message).toContain("SyntaxError: Unexpected token '*'");
  }, 120_000);
});
