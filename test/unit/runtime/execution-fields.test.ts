import { describe, expect, it } from 'vitest';
import { defineApp } from '../../../src/app/define.ts';
import { loadApp } from '../../../src/app/load.ts';
import { defaultThreads } from '../../../src/runtime/limits.ts';
import { manifestDir } from '../../support/manifest-dir.ts';

const manifest = (fields: string) => `[application]\nname = "x"\n[component.c]\nsource = "c.wasm"\n${fields}\n`;

async function load(fields: string) {
  const dir = await manifestDir({ 'c.wasm': '', 'spindle.toml': manifest(fields) });
  return loadApp(dir).then(
    (app) => app.components.c,
    (error: Error) => error.message.replaceAll(dir, '<dir>'),
  );
}

describe('threads and timeout_ms on [component.<id>]', () => {
  it('are read when valid', async () => {
    expect(await load('threads = 0\ntimeout_ms = 500')).toMatchObject({ threads: 0, timeoutMs: 500 });
    expect(await load('')).not.toHaveProperty('threads');
  });

  it('are rejected with the file, table and field when not usable', async () => {
    expect(await load('threads = -1')).toBe('<dir>/spindle.toml: [component.c] threads: must be at least 0, got -1');
    expect(await load('threads = 65')).toBe(
      '<dir>/spindle.toml: [component.c] threads: must be at most 64 (0 runs the component on the main thread), got 65',
    );
    expect(await load('threads = "2"')).toBe(
      '<dir>/spindle.toml: [component.c] threads: expected a number, got the string "2"',
    );
    expect(await load('timeout_ms = 0')).toBe(
      '<dir>/spindle.toml: [component.c] timeout_ms: must be at least 1, got 0',
    );
    expect(await load('timeout_ms = 2.5')).toBe(
      '<dir>/spindle.toml: [component.c] timeout_ms: expected a whole number, got 2.5',
    );
  });

  it('are threads and timeoutMs when embedding', () => {
    const app = defineApp({
      name: 'x',
      components: { c: { source: new Uint8Array(8), threads: 2, timeoutMs: 100 } },
      triggers: [],
    });
    expect(app.components.c).toMatchObject({ threads: 2, timeoutMs: 100 });
  });
});

describe('memory_limit_mb and max_output_kb on [component.<id>]', () => {
  it('are read when valid, and absent when not set (the runtime defaults apply)', async () => {
    expect(await load('memory_limit_mb = 64\nmax_output_kb = 0')).toMatchObject({ memoryLimitMb: 64, maxOutputKb: 0 });
    const plain = await load('');
    expect(plain).not.toHaveProperty('memoryLimitMb');
    expect(plain).not.toHaveProperty('maxOutputKb');
  });

  it('are rejected with the file, table and field when not usable', async () => {
    expect(await load('memory_limit_mb = 0')).toBe(
      '<dir>/spindle.toml: [component.c] memory_limit_mb: must be at least 1, got 0',
    );
    expect(await load('memory_limit_mb = 5000')).toBe(
      '<dir>/spindle.toml: [component.c] memory_limit_mb: must be at most 4096 MB, got 5000',
    );
    expect(await load('memory_limit_mb = "256MB"')).toBe(
      '<dir>/spindle.toml: [component.c] memory_limit_mb: expected a number, got the string "256MB"',
    );
    expect(await load('max_output_kb = -1')).toBe(
      '<dir>/spindle.toml: [component.c] max_output_kb: must be at least 0, got -1',
    );
    expect(await load('max_output_kb = 1.5')).toBe(
      '<dir>/spindle.toml: [component.c] max_output_kb: expected a whole number, got 1.5',
    );
  });

  it('are memoryLimitMb and maxOutputKb when embedding, checked the same way', () => {
    const define = (fields: Record<string, unknown>) =>
      defineApp({ name: 'x', components: { c: { source: new Uint8Array(8), ...fields } }, triggers: [] });
    expect(define({ memoryLimitMb: 32, maxOutputKb: 8 }).components.c).toMatchObject({
      memoryLimitMb: 32,
      maxOutputKb: 8,
    });
    expect(() => define({ memoryLimitMb: 0.5 })).toThrow(
      '<embedded>: [components.c] memoryLimitMb: expected a whole number, got 0.5',
    );
  });
});

describe('defaultThreads', () => {
  it('leaves one core to the main thread, at least 1 and at most 4 workers', () => {
    expect([1, 2, 3, 5, 16].map((cores) => defaultThreads(cores))).toEqual([1, 1, 2, 4, 4]);
  });
});
