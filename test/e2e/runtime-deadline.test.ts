import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../support/fixtures.ts';
import { type SpindleProcess, startSpindle } from '../support/spindle-process.ts';

let wasm: string;
const running: SpindleProcess[] = [];

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
});
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
});

async function serve(component: string): Promise<SpindleProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-e2e-deadline-'));
  writeFileSync(
    join(dir, 'spindle.toml'),
    `[application]
name = "deadline"
[[trigger.cloudevents]]
component = "behaviours"
[component.behaviours]
source = "${wasm}"
${component}
`,
  );
  const spindle = await startSpindle(['-f', dir, '--log-format', 'json']);
  running.push(spindle);
  return spindle;
}

const post = (url: URL, type: string, id: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/e2e', 'ce-type': type },
  });

describe('a guest that loops (spindle up)', () => {
  it('is stopped at timeout_ms with a 5xx, and the next request is served', async () => {
    const spindle = await serve('timeout_ms = 500');
    const looped = await post(spindle.url, 'test.loop', 'spin');
    expect(looped.status).toBe(500);
    expect(await looped.text()).toContain('exceeded its deadline of 500 ms');
    const next = await post(spindle.url, 'test.echo', 'after');
    expect(next.status).toBe(200);
    expect(next.headers.get('ce-id')).toBe('after');
    expect(spindle.child.exitCode).toBeNull();
  });

  it('names the field when threads is not a whole number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-e2e-deadline-'));
    writeFileSync(
      join(dir, 'spindle.toml'),
      `[application]\nname = "x"\n[component.c]\nsource = "${wasm}"\nthreads = 1.5\n`,
    );
    await expect(startSpindle(['-f', dir])).rejects.toThrow(
      `${join(dir, 'spindle.toml')}: [component.c] threads: expected a whole number, got 1.5`,
    );
  });
});
