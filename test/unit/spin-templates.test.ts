/**
 * The manifests `spin new` writes (test/fixtures/spin-templates, verbatim) load with the
 * meaning Spin gives them: build commands as a string or a list run in turn, `watch`,
 * `exclude_files` hiding files from `files` mounts, and the trigger tables the adapters read.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHttpConfig } from '../../adapters/http/config.ts';
import { parseRedisConfig } from '../../adapters/redis/config.ts';
import { loadApp } from '../../src/app/load.ts';
import type { AppConfig } from '../../src/app/model.ts';
import { TriggerTable } from '../../src/app/table.ts';
import { buildApp } from '../../src/build/build-app.ts';
import { manifestDir } from '../support/manifest-dir.ts';

const TEMPLATES = join(import.meta.dirname, '../fixtures/spin-templates');

/** A project as `spin new <template> hello-world` leaves it, with its source built. */
async function project(template: string, source: string, files: Record<string, string> = {}) {
  const manifest = await readFile(join(TEMPLATES, template, 'spin.toml'), 'utf8');
  const dir = await manifestDir({ 'spin.toml': manifest, [source]: '', ...files });
  return { dir, app: await loadApp(dir) };
}

/** Each trigger table read by its adapter, with `[application.trigger.<type>]` beneath it, as the engine does. */
function triggerConfigs(app: AppConfig) {
  return app.triggers.map(({ type, table, raw }) => {
    const reader = new TriggerTable(app.file, table, { ...app.triggerDefaults[type], ...raw });
    const config = type === 'http' ? parseHttpConfig(reader) : parseRedisConfig(reader, app);
    reader.done();
    return config;
  });
}

const APPLICATION = {
  name: 'hello-world',
  version: '0.1.0',
  authors: ['Ada <ada@example.com>'],
  description: 'A Spin app',
};

describe('the manifests spin new writes', () => {
  it('http-js: a list of build commands, watch, and exclude_files', async () => {
    const { dir, app } = await project('http-js', 'dist/hello-world.wasm');
    expect(app).toMatchObject(APPLICATION);
    expect(app.components['hello-world']).toEqual({
      id: 'hello-world',
      source: join(dir, 'dist/hello-world.wasm'),
      variables: {},
      environment: {},
      files: [],
      allowedOutboundHosts: [],
      build: { commands: ['npm install', 'npm run build'], workdir: dir, watch: ['src/**/*.js'] },
    });
    expect(triggerConfigs(app)).toMatchObject([{ component: 'hello-world', route: '/...', base: '/' }]);
  });

  it('http-ts: one build command', async () => {
    const { dir, app } = await project('http-ts', 'target/hello-world.wasm');
    expect(app).toMatchObject(APPLICATION);
    expect(app.components['hello-world']?.build).toEqual({
      commands: ['npm run build'],
      workdir: dir,
      watch: ['src/**/*.ts', 'package.json'],
    });
    expect(triggerConfigs(app)).toMatchObject([{ component: 'hello-world', route: '/...' }]);
  });

  it('redis-go, redis-rust, redis-js and redis-ts: the address from [application.trigger.redis]', async () => {
    for (const [template, source] of [
      ['redis-go', 'main.wasm'],
      ['redis-rust', 'target/wasm32-wasi/release/hello_world.wasm'],
      ['redis-js', 'dist/hello-world.wasm'],
      ['redis-ts', 'dist/hello-world.wasm'],
    ] as const) {
      const { dir, app } = await project(template, source);
      expect(app).toMatchObject(APPLICATION);
      expect(app.components['hello-world']?.source).toBe(join(dir, source));
      expect(triggerConfigs(app)).toMatchObject([
        { kind: 'channel', channel: 'messages', address: 'redis://127.0.0.1:6379', component: 'hello-world' },
      ]);
    }
  });
});

describe("spin-js-sdk's redis templates", () => {
  it('redis-ts: a #:schema line, and an allowed_outbound_hosts list holding only a comment, which allows nothing', async () => {
    const { dir, app } = await project('redis-ts', 'dist/hello-world.wasm');
    expect(app.components['hello-world']).toMatchObject({
      allowedOutboundHosts: [],
      build: { commands: ['npm install', 'npm run build'], workdir: dir, watch: ['src/**/*.ts', 'package.json'] },
    });
  });

  it('redis-js: one build command joined with &&, run as one shell command', async () => {
    const { app } = await project('redis-js', 'dist/hello-world.wasm');
    expect(app.components['hello-world']?.build?.commands).toEqual(['npm install && npm run build']);
  });
});

describe('exclude_files', () => {
  const manifest = (files: string, exclude: string) =>
    `spin_manifest_version = 2\n[application]\nname = "x"\n[component.c]\nsource = "c.wasm"\nfiles = ${files}\nexclude_files = ${exclude}\n`;

  it('leaves excluded matches out of pattern mounts', async () => {
    const dir = await manifestDir({
      'spin.toml': manifest('["static/*"]', '["static/*.bak"]'),
      'c.wasm': '',
      'static/index.html': '',
      'static/index.html.bak': '',
    });
    const app = await loadApp(dir);
    expect(app.components.c?.files).toEqual([
      { source: join(dir, 'static/index.html'), destination: '/static/index.html' },
    ]);
  });

  it('mounts a directory holding an excluded path file by file, without it', async () => {
    const dir = await manifestDir({
      'spin.toml': manifest('[{ source = "web", destination = "/www" }]', '["**/node_modules"]'),
      'c.wasm': '',
      'web/index.html': '',
      'web/js/app.js': '',
      'web/node_modules/left-pad/index.js': '',
    });
    const app = await loadApp(dir);
    expect(app.components.c?.files).toEqual([
      { source: join(dir, 'web/index.html'), destination: '/www/index.html' },
      { source: join(dir, 'web/js/app.js'), destination: '/www/js/app.js' },
    ]);
  });

  it('keeps a directory mount whole when nothing under it is excluded', async () => {
    const dir = await manifestDir({
      'spin.toml': manifest('["web"]', '["**/node_modules"]'),
      'c.wasm': '',
      'web/index.html': '',
    });
    const app = await loadApp(dir);
    expect(app.components.c?.files).toEqual([{ source: join(dir, 'web'), destination: '/web' }]);
  });
});

describe('spindle build with a list of commands', () => {
  it('runs them in order and stops at the first failure, naming it', async () => {
    const dir = await manifestDir({
      'spin.toml': `spin_manifest_version = 2
[application]
name = "x"
[component.c]
source = "c.wasm"
[component.c.build]
command = ["echo first >> build.log", "echo second >> build.log && exit 3", "echo third >> build.log"]
`,
    });
    const app = await loadApp(dir, { checkSources: false });
    const started: string[] = [];
    await expect(buildApp(app, { start: (_id, command) => started.push(command) })).rejects.toThrow(
      `${join(dir, 'spin.toml')}: [component.c.build] command \`echo second >> build.log && exit 3\` failed with exit code 3`,
    );
    expect(started).toEqual(['echo first >> build.log', 'echo second >> build.log && exit 3']);
    expect(await readFile(join(dir, 'build.log'), 'utf8')).toBe('first\nsecond\n');
  });
});
