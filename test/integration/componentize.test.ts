import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ComponentizeError, componentize, inputsHash, type JsEngine } from '../../src/build/componentize.ts';

const wizerCache = join(
  fileURLToPath(new URL('../..', import.meta.url)),
  'node_modules',
  '.cache',
  'spindle-fixtures',
  'wizer',
);

/** Builds `file` (written with `code` in a new folder), expecting a ComponentizeError. */
async function failedBuild(
  file: string,
  code: string,
  engine?: JsEngine,
): Promise<{ dir: string; source: string; message: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-componentize-'));
  const source = join(dir, file);
  writeFileSync(source, code);
  const error = await componentize({
    source,
    out: join(dir, 'out.wasm'),
    cacheDir: wizerCache,
    ...(engine ? { engine } : {}),
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ComponentizeError);
  return { dir, source, message: (error as Error).message };
}

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
    const { source, message } = await failedBuild(
      'broken.js',
      'export const handler = {\n  handle(event) {\n    return [event] +* 2;\n  },\n};\n',
    );
    expect(message).toMatch(new RegExp(`^componentize ${source}: componentize-js failed`));
    // Where and what, not only how many errors componentize-js found.
    expect(message).toContain(`${source}:3`);
    expect(message).toContain("SyntaxError: Unexpected token '*'");
  }, 120_000);

  it('refuses TypeScript that is more than types, naming the file and the rule', async () => {
    const { dir, source, message } = await failedBuild(
      'enum.ts',
      'enum Kind { A }\nexport const handler = { handle(event: unknown) { return [event]; } };\n',
    );
    expect(message).toMatch(
      new RegExp(`^componentize ${source}: cannot erase its TypeScript types: TypeScript enum is not supported`),
    );
    expect(message).toContain('erasable syntax only');
    expect(readdirSync(dir)).toEqual(['enum.ts']);
  });

  it('says what to export when a guest has no handler, and leaves nothing beside it', async () => {
    const { dir, message } = await failedBuild('nohandler.ts', 'export const handle = (event: unknown) => [event];\n');
    expect(message).toContain(
      'nohandler.ts must export `handler` with a `handle(event)` method, e.g. export const handler = { handle(event) { return [event]; } }; found handler: nothing',
    );
    expect(readdirSync(dir)).toEqual(['nohandler.ts']);
  }, 120_000);

  describe('with --engine quickjs', () => {
    it('builds a JS guest, then skips the build while its inputs are unchanged; a StarlingMonkey build is another input', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'spindle-componentize-'));
      const source = join(dir, 'echo.js');
      writeFileSync(source, 'export const handler = { handle(event) { return [event]; } };\n');
      const out = join(dir, 'echo.wasm');

      const first = await componentize({ source, out, engine: 'quickjs' });
      expect(first.built).toBe(true);
      expect(statSync(out).size).toBeLessThan(4 * 2 ** 20);
      expect(await componentize({ source, out, engine: 'quickjs' })).toEqual({ ...first, built: false });
      expect(await inputsHash({ source })).not.toBe(first.inputs);
      expect(readdirSync(dir).sort()).toEqual(['echo.js', 'echo.wasm', 'echo.wasm.build.json']);
    }, 120_000);

    it('names the source file, the line and what is wrong when the guest does not build', async () => {
      const { source, message } = await failedBuild(
        'broken.js',
        'export const handler = {\n  handle(event) {\n    return [event] +* 2;\n  },\n};\n',
        'quickjs',
      );
      expect(message).toMatch(new RegExp(`^componentize ${source}: componentize-qjs failed`));
      expect(message).toContain(`${source}:3`);
      expect(message).toContain("SyntaxError: Unexpected token '*'");
    }, 120_000);

    it('says what to export when a guest has no handler, and leaves nothing beside it', async () => {
      const { dir, message } = await failedBuild(
        'nohandler.ts',
        'export const handle = (event: unknown) => [event];\n',
        'quickjs',
      );
      expect(message).toContain('nohandler.ts must export `handler` with a `handle(event)` method');
      expect(readdirSync(dir)).toEqual(['nohandler.ts']);
    }, 120_000);
  });
});
