import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApp } from '../../src/app/load.ts';
import { manifestDir } from '../support/manifest-dir.ts';

describe('loadApp: spindle.toml', () => {
  it('normalises the documented example', async () => {
    const dir = await manifestDir({
      'transform.wasm': '',
      'spindle.toml': `
spin_manifest_version = 2
[application]
name = "transform-demo"
[variables]
suffix = { default = ".transformed" }
[[trigger.cloudevents]]
route = "/"
component = "transform"
# sink = "http://127.0.0.1:8080/"
[component.transform]
source = "transform.wasm"          # relative to the manifest
[component.transform.variables]
suffix = "{{ suffix }}"
[component.transform.build]
command = "npm run build"
`,
    });
    const app = await loadApp(dir);
    expect(app).toEqual({
      name: 'transform-demo',
      file: join(dir, 'spindle.toml'),
      dir,
      variables: { suffix: { default: '.transformed' } },
      components: {
        transform: {
          id: 'transform',
          source: join(dir, 'transform.wasm'),
          variables: { suffix: '{{ suffix }}' },
          environment: {},
          files: [],
          allowedOutboundHosts: [],
          build: { commands: ['npm run build'], workdir: dir },
        },
      },
      triggers: [{ type: 'cloudevents', table: 'trigger.cloudevents[0]', raw: { route: '/', component: 'transform' } }],
      triggerDefaults: {},
      triggerModules: {},
    });
  });

  it('reads every component field, and spindle.toml before spin.toml', async () => {
    const dir = await manifestDir({
      'wasm/a.wasm': '',
      'static/index.html': '',
      'static/app.css': '',
      'assets/logo.png': '',
      'triggers/timer.ts': '',
      'spin.toml': 'this is not even TOML',
      'spindle.toml': `
[application]
name = "full"
version = "1.2.3"
description = "every field"
authors = ["Ada <ada@example.com>"]
[application.trigger.timer]
module = "./triggers/timer.ts"
interval_ms = 1000
[application.trigger.mqtt]
module = "spindle-mqtt"
[variables]
token = { required = true, secret = true, description = "API token" }
host = { default = "api.example.com" }
[[trigger.timer]]
component = "a"
[[trigger.timer]]
component = "a"
name = "{{ host }}"
[component.a]
source = "wasm/a.wasm"
description = "component a"
files = ["static/*.html", "static/app.css", { source = "assets", destination = "/img" }]
environment = { MODE = "test" }
allowed_outbound_hosts = ["https://{{ host }}"]
allowed_http_hosts = ["example.org"]
instances = "reuse"
key_value_stores = []
[component.a.build]
command = "make"
workdir = "wasm"
watch = ["src/**/*.c"]
[component.b]
source = "wasm/a.wasm"
`,
    });
    const app = await loadApp(dir);
    expect(app.file).toBe(join(dir, 'spindle.toml'));
    expect(app).toMatchObject({
      name: 'full',
      version: '1.2.3',
      description: 'every field',
      authors: ['Ada <ada@example.com>'],
      variables: {
        token: { required: true, secret: true, description: 'API token' },
        host: { default: 'api.example.com' },
      },
      triggerDefaults: { timer: { interval_ms: 1000 }, mqtt: {} },
      triggerModules: { timer: join(dir, 'triggers/timer.ts'), mqtt: 'spindle-mqtt' },
      triggers: [
        { type: 'timer', table: 'trigger.timer[0]', raw: { component: 'a' } },
        { type: 'timer', table: 'trigger.timer[1]', raw: { component: 'a', name: '{{ host }}' } },
      ],
    });
    expect(app.components.a).toEqual({
      id: 'a',
      source: join(dir, 'wasm/a.wasm'),
      description: 'component a',
      files: [
        { source: join(dir, 'static/index.html'), destination: '/static/index.html' },
        { source: join(dir, 'static/app.css'), destination: '/static/app.css' },
        { source: join(dir, 'assets'), destination: '/img' },
      ],
      environment: { MODE: 'test' },
      allowedOutboundHosts: ['https://{{ host }}', 'http://example.org', 'https://example.org'],
      variables: {},
      instances: 'reuse',
      build: { commands: ['make'], workdir: join(dir, 'wasm'), watch: ['src/**/*.c'] },
    });
    expect(Object.keys(app.components)).toEqual(['a', 'b']);
  });

  it('loads a manifest file given by path, and leaves sources unchecked for building', async () => {
    const dir = await manifestDir({
      'other.toml': `[application]\nname = "x"\n[component.c]\nsource = "missing.wasm"\n`,
    });
    const app = await loadApp(join(dir, 'other.toml'), { checkSources: false });
    expect(app.components.c?.source).toBe(join(dir, 'missing.wasm'));
  });
});

describe('loadApp: Spin v2 spin.toml', () => {
  it('normalises http and redis triggers with application trigger defaults', async () => {
    const dir = await manifestDir({
      'api.wasm': '',
      'worker.wasm': '',
      'spin.toml': `
spin_manifest_version = 2
[application]
name = "shop"
version = "0.1.0"
[application.trigger.redis]
address = "redis://localhost:6379"
[[trigger.http]]
route = "/cart/..."
component = "api"
executor = { type = "wagi", argv = "\${SCRIPT_NAME}" }
[[trigger.redis]]
channel = "orders"
component = "worker"
[component.api]
source = "api.wasm"
[component.worker]
source = "worker.wasm"
allowed_outbound_hosts = ["redis://localhost:6379"]
[tool.spin-test]
source = "tests.wasm"
`,
    });
    const app = await loadApp(dir);
    expect(app.file).toBe(join(dir, 'spin.toml'));
    expect(app.triggers).toEqual([
      {
        type: 'http',
        table: 'trigger.http[0]',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Wagi's own placeholder syntax
        raw: { route: '/cart/...', component: 'api', executor: { type: 'wagi', argv: '${SCRIPT_NAME}' } },
      },
      { type: 'redis', table: 'trigger.redis[0]', raw: { channel: 'orders', component: 'worker' } },
    ]);
    expect(app.triggerDefaults).toEqual({ redis: { address: 'redis://localhost:6379' } });
    expect(app.components.worker?.allowedOutboundHosts).toEqual(['redis://localhost:6379']);
    expect(app.version).toBe('0.1.0');
  });
});

describe('loadApp: Spin v1 spin.toml', () => {
  it('gives each component its trigger and moves base into the defaults', async () => {
    const dir = await manifestDir({
      'hello.wasm': '',
      'spin.toml': `
spin_manifest_version = "1"
name = "spin-hello-world"
version = "1.0.0"
description = "A simple application that returns hello world."
authors = ["Jane"]
trigger = { type = "http", base = "/" }
[variables]
greeting = { default = "hello" }
[[component]]
id = "hello"
source = "hello.wasm"
allowed_http_hosts = ["insecure:allow-all"]
[component.trigger]
route = "/hello"
executor = { type = "wagi" }
[component.config]
message = "{{ greeting }} world"
[[component]]
id = "goodbye_v1"
source = "hello.wasm"
[component.trigger]
route = "/goodbye"
`,
    });
    const app = await loadApp(dir);
    expect(app).toMatchObject({
      name: 'spin-hello-world',
      version: '1.0.0',
      description: 'A simple application that returns hello world.',
      authors: ['Jane'],
      variables: { greeting: { default: 'hello' } },
      triggerDefaults: { http: { base: '/' } },
      triggerModules: {},
      triggers: [
        {
          type: 'http',
          table: 'component[0].trigger',
          raw: { component: 'hello', route: '/hello', executor: { type: 'wagi' } },
        },
        { type: 'http', table: 'component[1].trigger', raw: { component: 'goodbye_v1', route: '/goodbye' } },
      ],
    });
    expect(app.components.hello).toEqual({
      id: 'hello',
      source: join(dir, 'hello.wasm'),
      variables: { message: '{{ greeting }} world' },
      environment: {},
      files: [],
      // As Spin converts `insecure:allow-all`.
      allowedOutboundHosts: ['http://*:*', 'https://*:*', 'http://self'],
    });
  });

  it('reads the redis form and the older spin_version key', async () => {
    const dir = await manifestDir({
      'r.wasm': '',
      'spin.toml': `
spin_version = "1"
name = "redis-app"
trigger = { type = "redis", address = "redis://{{ redis_host }}:6379" }
[variables]
redis_host = { default = "localhost" }
[[component]]
id = "echo"
source = "r.wasm"
[component.trigger]
channel = "messages"
`,
    });
    const app = await loadApp(dir);
    expect(app.triggerDefaults).toEqual({ redis: { address: 'redis://{{ redis_host }}:6379' } });
    expect(app.triggers).toEqual([
      { type: 'redis', table: 'component[0].trigger', raw: { component: 'echo', channel: 'messages' } },
    ]);
  });
});
