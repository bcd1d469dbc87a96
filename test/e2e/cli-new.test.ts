import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_CACHE, buildNewApp, newApp } from '../support/new-app.ts';
import { expectNoProcessWarnings } from '../support/no-process-warnings.ts';
import { spawnUntil } from '../support/spawn-until.ts';
import { runSpindle, SPINDLE_BIN, type SpindleProcess } from '../support/spindle-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = [
  'cloudevents-js',
  'cloudevents-ts',
  'kafka-js',
  'kafka-ts',
  'redis-streams-js',
  'redis-streams-ts',
  'amqp-js',
  'amqp-ts',
  'http-js',
  'http-ts',
];
const running: SpindleProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop('SIGKILL');
});

async function buildAndServe(dir: string): Promise<SpindleProcess> {
  await buildNewApp(dir);
  const checked = await runSpindle(['check'], { cwd: dir, env: { SPINDLE_CACHE_DIR: BUILD_CACHE } });
  expect(checked.code, checked.stderr).toBe(0);
  const up = await spawnUntil(process.execPath, [SPINDLE_BIN, 'up', '--listen', '127.0.0.1:0'], {
    cwd: dir,
    env: { SPINDLE_CACHE_DIR: BUILD_CACHE },
    until: /Serving (\S+)/,
  });
  const process_ = { ...up, url: new URL(up.match[1] ?? '') };
  running.push(process_);
  return process_;
}

describe('spindle new', () => {
  it('lists its templates', async () => {
    const listed = await runSpindle(['new', '--list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').map((line) => line.split(' ')[0])).toEqual([...TEMPLATES, '']);
  });

  it('refuses an unknown template, naming the near one and listing all, and a directory that is not empty', async () => {
    const unknown = await runSpindle(['new', 'cloudevent-ts', join(tmpdir(), 'never-made')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `unknown template 'cloudevent-ts' (did you mean cloudevents-ts?); the templates: ${TEMPLATES.join(', ')}`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'spindle-new-'));
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const full = await runSpindle(['new', 'http-js', dir]);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain(`${dir} is not empty (1 entries): give a new or empty directory`);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('makes a CloudEvents target in TypeScript that type-checks against spindle/guest, builds, serves and transforms', async () => {
    const dir = await newApp('cloudevents-ts');
    expect(readdirSync(dir).sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'spindle.toml',
      'src',
      'tsconfig.json',
    ]);
    // As after `npm install` in the app: spindle in its node_modules.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'spindle'));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const spindle = await buildAndServe(dir);
    const sent = await runSpindle(['send', spindle.url.href, '--type', 'demo', '--id', 'n-1', '--data', '{"n":1}']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({
      id: 'n-1',
      type: 'demo.transformed',
      data: { n: 1, transformedBy: 'my-app' },
    });
    expectNoProcessWarnings(spindle.output());
  }, 240_000);

  it('makes a Spin HTTP component in JavaScript that builds and answers requests', async () => {
    const spindle = await buildAndServe(await newApp('http-js'));
    const response = await fetch(new URL('/hello', spindle.url));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Hello from my-app: GET /hello\n');
    expectNoProcessWarnings(spindle.output());
  }, 240_000);

  // The same guests in the other language: every guest source the templates write is built and served.
  it('makes a CloudEvents target in JavaScript that builds, serves and transforms', async () => {
    const spindle = await buildAndServe(await newApp('cloudevents-js'));
    const sent = await runSpindle(['send', spindle.url.href, '--type', 'demo', '--id', 'n-2', '--data', '{"n":2}']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ id: 'n-2', type: 'demo.transformed', data: { n: 2 } });
  }, 240_000);

  it('makes a Spin HTTP component in TypeScript that builds and answers requests', async () => {
    const spindle = await buildAndServe(await newApp('http-ts'));
    const response = await fetch(new URL('/hello', spindle.url));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Hello from my-app: GET /hello\n');
  }, 240_000);

  // The broker templates write the transformer guests built above, with another trigger
  // table: `spindle check` validates each manifest, its variables, trigger table and sink
  // URI without a build, and the only problem left is the component not built yet.
  // cli-new-brokers.test.ts builds and runs them against their brokers.
  const BUILT = ['cloudevents-js', 'cloudevents-ts', 'http-js', 'http-ts'];
  it.each(TEMPLATES.filter((t) => !BUILT.includes(t)))(
    '%s: the app is valid but for its unbuilt component',
    async (template) => {
      const dir = await newApp(template);
      const checked = await runSpindle(['check'], { cwd: dir });
      expect(checked.stderr).toMatch(
        /^1 problem:\n {2}- .*spindle\.toml: \[component\.my-app\] source: no such file: .*my-app\.wasm \(run `spindle build` first\)\n$/,
      );
      expect(checked.stdout).toMatch(/\[trigger\.\w+\[0\]\] .*-> my-app/);
      expect(readFileSync(join(dir, 'spindle.toml'), 'utf8')).toContain(`src/index.${template.slice(-2)}`);
    },
  );
});
