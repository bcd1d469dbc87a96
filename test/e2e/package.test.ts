/**
 * spindle as its users get it: `npm pack`, the tarball installed into new projects (one
 * `"type": "module"`, one `"type": "commonjs"`, as `npm init -y` writes on npm 11), and
 * there the library imported, `npx spindle up` serving the example, and a TypeScript file
 * type-checked against the published declarations alone.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnUntil } from '../support/spawn-until.ts';
import { buildExampleTransform } from '../support/spindle-process.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const MANIFEST = `spin_manifest_version = 2
[application]
name = "packaged"
[variables]
suffix = { default = ".packaged" }
[[trigger.cloudevents]]
component = "transform"
[component.transform]
source = "transform.wasm"
[component.transform.variables]
suffix = "{{ suffix }}"
`;

const LIBRARY_USE = (load: string) => `${load}
const { readFileSync } = require('node:fs');
async function main() {
  const app = defineApp({
    name: 'library',
    components: { transform: { source: readFileSync('transform.wasm'), variables: { suffix: '.library' } } },
    triggers: [{ type: 'cloudevents', component: 'transform' }],
  });
  const running = await startApp(app, { listen: { host: '127.0.0.1', port: 0 } });
  const [out] = await running.invoke('transform', {
    id: '1', source: '/test', type: 'demo', specversion: '1.0',
    datacontenttype: 'application/json', extensions: {}, data: new TextEncoder().encode('{"n":1}'),
  });
  await running.stop();
  console.log(JSON.stringify({ type: out.type, data: new TextDecoder().decode(out.data) }));
}
main();
`;

const TYPED_USE = `import { type CloudEvent, defineApp, type RunningApp, startApp } from 'spindle';

const app = defineApp({
  name: 'typed',
  components: { transform: { source: 'transform.wasm' } },
  triggers: [{ type: 'cloudevents', component: 'transform' }],
});
const running: RunningApp = await startApp(app, { listen: { host: '127.0.0.1', port: 0 } });
const event: CloudEvent = { id: '1', source: '/t', type: 't', specversion: '1.0', extensions: {} };
const out: CloudEvent[] = await running.invoke('transform', event);
console.log(out.length);
`;

// A guest of the event world, typed with the package's guest types.
const TYPED_GUEST = `import type { EventError, Handler } from 'spindle/guest';

export const handler: Handler = {
  handle(event) {
    if (event.data === undefined) throw { tag: 'invalid', val: 'no data' } satisfies EventError;
    return [{ ...event, type: \`\${event.type}.typed\`, extensions: [...event.extensions, ['typed', 'yes']] }];
  },
};
`;

const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2023',
    strict: true,
    noEmit: true,
    types: ['node'],
    // The published declarations themselves are under test.
    skipLibCheck: false,
  },
  include: ['check.mts', 'guest.mts'],
};

let work: string;
let tarball: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spindle-package-'));
  // dist/ is built by the global setup; --ignore-scripts skips building it again.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: ROOT,
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  tarball = join(work, packed?.filename ?? '');
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(['module', 'commonjs'] as const)('the packed tarball in a "type": "%s" project', (type) => {
  let project: string;
  let wasm: string;

  beforeAll(async () => {
    project = join(work, type);
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: `consumer-${type}`, version: '1.0.0', private: true, type }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, '@types/node@22'], {
      cwd: project,
    });
    wasm = await buildExampleTransform();
    await copyFile(wasm, join(project, 'transform.wasm'));
  }, 300_000);

  it('imports the library and runs an app defined in code on a component', async () => {
    const load =
      type === 'module'
        ? "import { createRequire } from 'node:module';\nimport { defineApp, startApp } from 'spindle';\nconst require = createRequire(import.meta.url);"
        : "const { defineApp, startApp } = require('spindle');";
    await writeFile(join(project, 'app.js'), LIBRARY_USE(load));
    const { stdout, stderr } = await run(process.execPath, ['app.js'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ type: 'demo.library', data: '{"n":1,"hello":"wasm"}' });
    expect(stderr).toBe('');
  });

  it('serves a manifest with `npx spindle up`, the transpile cache untroubled by the project', async () => {
    // Three nearest package.json files for the cache: the project's ("module" or
    // "commonjs"), and an app folder with a package.json that names no type at all.
    const apps = [join(project, 'app'), join(project, 'typeless')];
    for (const app of apps) {
      await mkdir(app);
      await writeFile(join(app, 'spindle.toml'), MANIFEST);
      await copyFile(wasm, join(app, 'transform.wasm'));
    }
    await writeFile(join(project, 'typeless', 'package.json'), JSON.stringify({ name: 'typeless' }));

    for (const app of apps) {
      const spindle = await spawnUntil('npx', ['--no', 'spindle', 'up', '-f', app, '--listen', '127.0.0.1:0'], {
        cwd: project,
        until: /Serving (\S+)/,
      });
      try {
        const response = await fetch(spindle.match[1] ?? '', {
          method: 'POST',
          headers: {
            'ce-specversion': '1.0',
            'ce-id': 'p1',
            'ce-source': '/curl',
            'ce-type': 'io.triggermesh.demo',
            'content-type': 'application/json',
          },
          body: '{"name":"spindle"}',
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('ce-type')).toBe('io.triggermesh.demo.packaged');
        expect(await response.json()).toEqual({ name: 'spindle', hello: 'wasm' });
      } finally {
        await spindle.stop();
      }
      // No MODULE_TYPELESS_PACKAGE_JSON warning, no "Unexpected token 'export'".
      expect(spindle.output()).not.toMatch(/Warning|Error/);
    }
  });

  it('type-checks a program and a guest against the published declarations (spindle, spindle/guest)', async () => {
    await writeFile(join(project, 'check.mts'), TYPED_USE);
    await writeFile(join(project, 'guest.mts'), TYPED_GUEST);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    const result = await run(TSC, ['-p', project], { cwd: project }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe('');
  });

  it('ships what runs and nothing of the repository', async () => {
    const installed = join(project, 'node_modules', 'spindle');
    const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toEqual(['bin', 'dist', 'wit', 'adapters/*/wit', 'templates']);
    await expect(readFile(join(installed, 'wit', 'event.wit'), 'utf8')).resolves.toContain('package spindle:event');
    await expect(readFile(join(installed, 'dist', 'src', 'runtime', 'event-worker.js'), 'utf8')).resolves.toBeTruthy();
    await expect(readFile(join(installed, 'src', 'cli.ts'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('writes a new app from the shipped templates with `npx spindle new`', async () => {
    const dir = join(project, 'new-target');
    await run('npx', ['--no', 'spindle', 'new', 'cloudevents-ts', dir], { cwd: project });
    await expect(readFile(join(dir, 'spindle.toml'), 'utf8')).resolves.toContain('[[trigger.cloudevents]]');
    await expect(readFile(join(dir, 'src', 'index.ts'), 'utf8')).resolves.toContain('spindle/guest');
  });
});
