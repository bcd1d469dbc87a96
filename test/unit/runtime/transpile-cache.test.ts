import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TranspileFn, transpileCached } from '../../../src/runtime/transpile-cache.ts';

function fakeTranspile(): { transpile: TranspileFn; calls: () => number } {
  let calls = 0;
  return {
    transpile: async () => {
      calls += 1;
      return {
        files: {
          'component.js': new TextEncoder().encode('export function instantiate() {}'),
          'component.core.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
          'component.d.ts': new TextEncoder().encode('export {}'),
        },
        imports: ['fermyon:spin/variables'],
        exports: [['spindle:event/handler@0.1.0', 'instance']],
      };
    },
    calls: () => calls,
  };
}

describe('transpile cache', () => {
  it('transpiles a content once and serves it from the cache afterwards', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spindle-cache-'));
    const fake = fakeTranspile();
    const bytes = new Uint8Array([1, 2, 3]);
    const first = await transpileCached(bytes, cacheDir, fake);
    const second = await transpileCached(bytes, cacheDir, fake);
    expect(fake.calls()).toBe(1);
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect(second).toEqual({ ...first, cached: true });
    expect(second.coreModules).toEqual(['component.core.wasm']);
    expect(await readFile(second.glue, 'utf8')).toContain('instantiate');
  });

  it('keys the cache by content', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spindle-cache-'));
    const fake = fakeTranspile();
    const a = await transpileCached(new Uint8Array([1]), cacheDir, fake);
    const b = await transpileCached(new Uint8Array([2]), cacheDir, fake);
    expect(fake.calls()).toBe(2);
    expect(a.dir).not.toBe(b.dir);
  });

  it('survives two loads filling the cache at once', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spindle-cache-'));
    const fake = fakeTranspile();
    const bytes = new Uint8Array([9]);
    const [a, b] = await Promise.all([transpileCached(bytes, cacheDir, fake), transpileCached(bytes, cacheDir, fake)]);
    expect(a.dir).toBe(b.dir);
    expect((await transpileCached(bytes, cacheDir, fake)).cached).toBe(true);
  });
});
