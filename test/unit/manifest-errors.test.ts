import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApp } from '../../src/app/load.ts';
import { ManifestError } from '../../src/errors.ts';
import { manifestDir } from '../support/manifest-dir.ts';

/** Load `spindle.toml` (or the files given) and return the error's message, with the directory as `<dir>`. */
async function loadError(manifest: string, files: Record<string, string> = {}, name = 'spindle.toml'): Promise<string> {
  const dir = await manifestDir({ 'c.wasm': '', ...files, [name]: manifest });
  const error = await loadApp(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return (error as Error).message.replaceAll(dir, '<dir>');
}

const app = '[application]\nname = "x"\n';
const component = '[component.c]\nsource = "c.wasm"\n';

describe('loadApp: finding and parsing the manifest', () => {
  it('names a directory with no manifest', async () => {
    const dir = await manifestDir({ 'README.md': '' });
    await expect(loadApp(dir)).rejects.toThrow(`${dir}: no spindle.toml or spin.toml in this directory`);
  });

  it('names a path that does not exist', async () => {
    const dir = await manifestDir({});
    await expect(loadApp(join(dir, 'nope.toml'))).rejects.toThrow(
      `${join(dir, 'nope.toml')}: no such file or directory`,
    );
  });

  it('gives the line and column of a TOML syntax error', async () => {
    expect(await loadError(`${app}[component.c]\nsource = "c.wasm\n`)).toBe(
      '<dir>/spindle.toml: invalid TOML at line 4, column 17: control characters are not allowed in strings',
    );
    expect(await loadError(`${app}name = "y"\n`)).toBe(
      '<dir>/spindle.toml: invalid TOML at line 3, column 1: trying to redefine an already defined table or value',
    );
  });

  it('rejects an unknown manifest version', async () => {
    expect(await loadError(`spin_manifest_version = 3\n${app}`)).toBe(
      '<dir>/spindle.toml: spin_manifest_version: expected 2 (or "1" for a Spin v1 manifest), got number 3',
    );
    expect(await loadError('spin_version = "2"\nname = "x"\n', {}, 'spin.toml')).toBe(
      '<dir>/spin.toml: spin_version: expected "1" (a Spin v1 manifest), got the string "2"',
    );
  });

  it('points a v1 manifest without a version at spin_manifest_version', async () => {
    expect(await loadError('name = "x"\n[[component]]\nid = "c"\nsource = "c.wasm"\n', {}, 'spin.toml')).toBe(
      '<dir>/spin.toml: spin_manifest_version: is missing: [[component]] is the Spin v1 form, so add spin_manifest_version = "1" (or write [component.<id>] tables)',
    );
  });
});

describe('loadApp: application and unknown keys', () => {
  it('requires the application name', async () => {
    expect(await loadError('[application]\nversion = "1"\n')).toBe(
      '<dir>/spindle.toml: [application] name: is required (a string)',
    );
    expect(await loadError(component)).toBe('<dir>/spindle.toml: [application] name: is required (a string)');
  });

  it('rejects unknown keys at every level, listing what is allowed', async () => {
    expect(await loadError(`colour = "red"\n${app}`)).toBe(
      "<dir>/spindle.toml: colour: unknown field 'colour' (expected spin_manifest_version, application, variables, trigger, component)",
    );
    expect(await loadError(`[application]\nname = "x"\nowner = "me"\n`)).toBe(
      "<dir>/spindle.toml: [application] owner: unknown field 'owner' (expected name, version, description, authors, trigger, limits)",
    );
    expect(await loadError(`${app}${component}sorce = "c.wasm"\n`)).toBe(
      "<dir>/spindle.toml: [component.c] sorce: unknown field 'sorce' (did you mean source?) (expected source, description, files, environment, allowed_outbound_hosts, allowed_http_hosts, build, exclude_files, instances, threads, timeout_ms, memory_limit_mb, max_output_kb, outbound_timeout_ms, variables)",
    );
    expect(await loadError(`${app}${component}[component.c.build]\ncommand = "make"\ncwd = "."\n`)).toBe(
      "<dir>/spindle.toml: [component.c.build] cwd: unknown field 'cwd' (expected command, workdir, watch)",
    );
  });

  it('names the field a misspelt key was meant to be', async () => {
    expect(await loadError(`${app}[[trigger.cloudevents]]\ncomponnet = "c"\n${component}`)).toBe(
      "<dir>/spindle.toml: [trigger.cloudevents[0]] component: is required (the id of the component to run) (found 'componnet': did you mean component?)",
    );
    expect(await loadError(`[application]\nnam = "x"\n`)).toBe(
      "<dir>/spindle.toml: [application] name: is required (a string) (found 'nam': did you mean name?)",
    );
    expect(await loadError(`${app}${component}instance = "fresh"\n`)).toContain(
      "unknown field 'instance' (did you mean instances?)",
    );
  });

  it('reports Spin features spindle does not support by name', async () => {
    expect(await loadError(`${app}${component}key_value_stores = ["default"]\n`)).toBe(
      '<dir>/spindle.toml: [component.c] key_value_stores: is a Spin feature spindle does not support: remove it, or run this app with Spin',
    );
    for (const field of ['sqlite_databases = ["default"]', 'ai_models = ["llama2-chat"]']) {
      expect(await loadError(`${app}${component}${field}\n`)).toContain('is a Spin feature spindle does not support');
    }
    expect(await loadError(`${app}${component}[component.c.dependencies]\n"a:b/c" = { path = "d.wasm" }\n`)).toBe(
      '<dir>/spindle.toml: [component.c] dependencies: is a Spin feature spindle does not support: remove it, or run this app with Spin',
    );
    expect(await loadError(`[application]\nname = "x"\ntargets = ["spin-up:3.2"]\n`)).toBe(
      '<dir>/spindle.toml: [application] targets: is a Spin feature spindle does not support: remove it, or run this app with Spin',
    );
  });
});

describe('loadApp: components', () => {
  it('requires an existing source, relative to the manifest', async () => {
    expect(await loadError(`${app}[component.c]\n`)).toBe(
      '<dir>/spindle.toml: [component.c] source: is required (the path of a .wasm file, relative to the manifest)',
    );
    expect(await loadError(`${app}[component.c]\nsource = "gone.wasm"\n`)).toBe(
      '<dir>/spindle.toml: [component.c] source: no such file: <dir>/gone.wasm',
    );
    expect(await loadError(`${app}[component.c]\nsource = "gone.wasm"\nbuild = { command = "make" }\n`)).toBe(
      '<dir>/spindle.toml: [component.c] source: no such file: <dir>/gone.wasm (run `spindle build` first)',
    );
    expect(await loadError(`${app}[component.c]\nsource = 42\n`)).toBe(
      '<dir>/spindle.toml: [component.c] source: expected the path of a .wasm file, got number 42',
    );
  });

  it('rejects remote and registry sources', async () => {
    expect(
      await loadError(`${app}[component.c]\nsource = { url = "https://example.com/c.wasm", digest = "sha256:00" }\n`),
    ).toBe(
      '<dir>/spindle.toml: [component.c] source: remote sources ({ url, digest }) are not supported: download the .wasm and give its path',
    );
    expect(
      await loadError(`${app}[component.c]\nsource = { registry = "ttl.sh", package = "a:b", version = "1.0.0" }\n`),
    ).toBe(
      '<dir>/spindle.toml: [component.c] source: registry sources ({ registry, package, version }) are not supported: give a path',
    );
  });

  it('checks component ids and field types', async () => {
    expect(await loadError(`${app}[component.My_Comp]\nsource = "c.wasm"\n`)).toBe(
      "<dir>/spindle.toml: [component.My_Comp]: 'My_Comp' is not a valid component id: component ids are kebab-case: lowercase letters and digits in words joined by single hyphens, starting with a letter",
    );
    expect(await loadError(`component = "c"\n${app}`)).toBe(
      '<dir>/spindle.toml: component: expected a table, got the string "c"',
    );
    expect(await loadError(`${app}${component}environment = { PORT = 8080 }\n`)).toBe(
      '<dir>/spindle.toml: [component.c.environment] PORT: expected a string, got number 8080',
    );
    expect(await loadError(`${app}${component}allowed_outbound_hosts = "https://example.com"\n`)).toBe(
      '<dir>/spindle.toml: [component.c] allowed_outbound_hosts: expected a list of strings, got the string "https://example.com"',
    );
    expect(await loadError(`${app}${component}allowed_outbound_hosts = ["https://ok.example", "example.com"]\n`)).toBe(
      `<dir>/spindle.toml: [component.c] allowed_outbound_hosts[1]: "example.com" does not contain a scheme (e.g. 'http://' or '*://')`,
    );
    expect(await loadError(`${app}${component}allowed_outbound_hosts = ["insecure:allow-all"]\n`)).toBe(
      `<dir>/spindle.toml: [component.c] allowed_outbound_hosts[0]: "insecure:allow-all" is not allowed: use '*://*:*' instead if you really want to allow all outbound traffic`,
    );
    expect(await loadError(`${app}${component}allowed_http_hosts = ["example.com/api"]\n`)).toBe(
      '<dir>/spindle.toml: [component.c] allowed_http_hosts[0]: "example.com/api" contains a path; give a host and optional port only',
    );
    expect(await loadError(`${app}${component}instances = "pooled"\n`)).toBe(
      '<dir>/spindle.toml: [component.c] instances: expected "fresh" or "reuse", got "pooled"',
    );
    expect(await loadError(`${app}${component}[component.c.build]\nworkdir = "src"\n`)).toBe(
      '<dir>/spindle.toml: [component.c.build] command: is required (a string, or a list of strings run in turn)',
    );
  });

  it('checks files', async () => {
    expect(await loadError(`${app}${component}files = ["missing"]\n`)).toBe(
      '<dir>/spindle.toml: [component.c] files[0]: no such file or directory: <dir>/missing',
    );
    expect(await loadError(`${app}${component}files = ["../outside"]\n`)).toBe(
      `<dir>/spindle.toml: [component.c] files[0]: "../outside" is outside the manifest's directory (use { source, destination })`,
    );
    expect(await loadError(`${app}${component}files = [{ source = "c.wasm", destination = "rel" }]\n`)).toBe(
      '<dir>/spindle.toml: [component.c.files[0]] destination: must be an absolute guest path, got "rel"',
    );
    expect(await loadError(`${app}${component}files = [{ source = "c.wasm" }]\n`)).toBe(
      '<dir>/spindle.toml: [component.c.files[0]] destination: is required (a string)',
    );
    expect(await loadError(`${app}${component}files = [1]\n`)).toBe(
      '<dir>/spindle.toml: [component.c] files[0]: expected a path or a { source, destination } table, got number 1',
    );
  });
});

describe('loadApp: triggers', () => {
  const trigger = (body: string) => `${app}${component}[[trigger.cloudevents]]\n${body}`;

  it('requires the component to be defined', async () => {
    expect(await loadError(trigger('component = "x"\n'))).toBe(
      "<dir>/spindle.toml: [trigger.cloudevents[0]] component: no component 'x' is defined",
    );
    expect(await loadError(trigger('route = "/"\n'))).toBe(
      '<dir>/spindle.toml: [trigger.cloudevents[0]] component: is required (the id of the component to run)',
    );
    expect(await loadError(trigger('component = 7\n'))).toBe(
      '<dir>/spindle.toml: [trigger.cloudevents[0]] component: expected a component id, got number 7',
    );
  });

  it('rejects inline components', async () => {
    expect(await loadError(trigger('component = { source = "c.wasm" }\n'))).toBe(
      '<dir>/spindle.toml: [trigger.cloudevents[0]] component: inline component tables are not supported: define the component in its own table and give its id here',
    );
  });

  it('wants a list of tables per trigger type', async () => {
    expect(await loadError(`${app}${component}[trigger.http]\ncomponent = "c"\n`)).toBe(
      '<dir>/spindle.toml: [trigger] http: expected a list of tables ([[trigger.http]]), got a single table (write [[trigger.http]], not [trigger.http])',
    );
  });

  it('keeps unknown trigger types and their fields for the loader', async () => {
    const dir = await manifestDir({ 'c.wasm': '', 'spindle.toml': trigger('component = "c"\nanything = [1, 2]\n') });
    expect((await loadApp(dir)).triggers[0]?.raw).toEqual({ component: 'c', anything: [1, 2] });
  });

  it('checks the module of a third-party trigger type', async () => {
    expect(await loadError(`${app}[application.trigger.timer]\nmodule = "./nope.ts"\n`)).toBe(
      '<dir>/spindle.toml: [application.trigger.timer] module: no such file: <dir>/nope.ts',
    );
    expect(await loadError(`${app}[application.trigger.timer]\nmodule = 1\n`)).toBe(
      '<dir>/spindle.toml: [application.trigger.timer] module: expected a string, got number 1',
    );
  });
});

describe('loadApp: variables', () => {
  it('checks declarations', async () => {
    expect(await loadError(`${app}[variables]\nApiKey = { default = "k" }\n`)).toBe(
      '<dir>/spindle.toml: [variables] ApiKey: is not a valid variable name: variable names are lowercase letters, digits and underscores, starting with a letter',
    );
    expect(await loadError(`${app}[variables]\nkey = { default = "k", required = true }\n`)).toBe(
      '<dir>/spindle.toml: [variables] key: has both a default and required = true: give one or the other',
    );
    expect(await loadError(`${app}[variables]\nkey = { secret = true }\n`)).toBe(
      '<dir>/spindle.toml: [variables] key: needs a default (default = "...") or required = true',
    );
    expect(await loadError(`${app}[variables]\nkey = "k"\n`)).toBe(
      '<dir>/spindle.toml: [variables] key: expected a table such as { default = "..." } or { required = true }, got the string "k"',
    );
    expect(await loadError(`${app}[variables]\nkey = { default = 1 }\n`)).toBe(
      '<dir>/spindle.toml: [variables.key] default: expected a string, got number 1',
    );
    expect(await loadError(`${app}[variables]\nkey = { default = "k", type = "string" }\n`)).toBe(
      "<dir>/spindle.toml: [variables.key] type: unknown field 'type' (expected description, default, required, secret)",
    );
  });

  it('checks templates in component variables, outbound hosts and triggers', async () => {
    expect(await loadError(`${app}${component}[component.c.variables]\nsuffix = "{{ sufix }}"\n`)).toBe(
      "<dir>/spindle.toml: [component.c.variables] suffix: refers to variable 'sufix', which is not declared in [variables]",
    );
    expect(await loadError(`${app}${component}[component.c.variables]\nsuffix = "{{ suffix"\n`)).toBe(
      `<dir>/spindle.toml: [component.c.variables] suffix: invalid template: '{{' without a closing '}}' in "{{ suffix"`,
    );
    expect(await loadError(`${app}${component}[component.c.variables]\nSuffix = "x"\n`)).toBe(
      '<dir>/spindle.toml: [component.c.variables] Suffix: is not a valid variable name: variable names are lowercase letters, digits and underscores, starting with a letter',
    );
    expect(await loadError(`${app}${component}allowed_outbound_hosts = ["https://{{ host }}"]\n`)).toBe(
      "<dir>/spindle.toml: [component.c] allowed_outbound_hosts[0]: refers to variable 'host', which is not declared in [variables]",
    );
    expect(
      await loadError(
        `${app}${component}[[trigger.kafka]]\ncomponent = "c"\nsasl = { password = "{{ kafka_password }}" }\n`,
      ),
    ).toBe(
      "<dir>/spindle.toml: [trigger.kafka[0]] sasl.password: refers to variable 'kafka_password', which is not declared in [variables]",
    );
    expect(await loadError(`${app}[application.trigger.redis]\naddress = "redis://{{ host }}"\n`)).toBe(
      "<dir>/spindle.toml: [application.trigger.redis] address: refers to variable 'host', which is not declared in [variables]",
    );
    expect(await loadError(`${app}${component}[[trigger.x]]\ncomponent = "c"\ntopics = ["a", "{{ Bad }}"]\n`)).toBe(
      `<dir>/spindle.toml: [trigger.x[0]] topics[1]: invalid template: "{{ Bad }}" does not name a variable (variable names are lowercase letters, digits and underscores, starting with a letter)`,
    );
  });
});

describe('loadApp: Spin v1 errors', () => {
  const v1 = 'spin_manifest_version = "1"\nname = "x"\n';
  const load = (body: string) => loadError(body, {}, 'spin.toml');

  it('requires the app trigger and its type', async () => {
    expect(await load(v1)).toBe(
      '<dir>/spin.toml: trigger: expected a table such as { type = "http", base = "/" }, got nothing',
    );
    expect(await load(`${v1}trigger = { base = "/" }\n`)).toBe(
      '<dir>/spin.toml: [trigger] type: is required (a string)',
    );
  });

  it('names the component by index', async () => {
    const t = 'trigger = { type = "http" }\n';
    expect(await load(`${v1}${t}[[component]]\nsource = "c.wasm"\n`)).toBe(
      '<dir>/spin.toml: [component[0]] id: is required (a string)',
    );
    expect(
      await load(`${v1}${t}[[component]]\nid = "a"\nsource = "c.wasm"\n[[component]]\nid = "a"\nsource = "c.wasm"\n`),
    ).toBe("<dir>/spin.toml: [component[1]] id: 'a' is already the id of component[0]");
    expect(await load(`${v1}${t}[[component]]\nid = "a"\nsource = "c.wasm"\nvariables = { a = "b" }\n`)).toBe(
      "<dir>/spin.toml: [component[0]] variables: unknown field 'variables' (expected id, trigger, source, description, files, environment, allowed_outbound_hosts, allowed_http_hosts, build, exclude_files, instances, threads, timeout_ms, memory_limit_mb, max_output_kb, outbound_timeout_ms, config)",
    );
    expect(await load(`${v1}${t}[[component]]\nid = "a"\nsource = "c.wasm"\n[component.config]\nk = "{{ v }}"\n`)).toBe(
      "<dir>/spin.toml: [component[0].config] k: refers to variable 'v', which is not declared in [variables]",
    );
    expect(
      await load(`${v1}${t}[[component]]\nid = "a"\nsource = "c.wasm"\n[component.trigger]\ncomponent = "b"\n`),
    ).toBe(
      '<dir>/spin.toml: [component[0].trigger] component: is not a v1 field: the trigger runs the [[component]] it belongs to',
    );
    expect(await load(`${v1}${t}[[component]]\nid = "a"\nsource = "c.wasm"\nai_models = ["llama2-chat"]\n`)).toBe(
      '<dir>/spin.toml: [component[0]] ai_models: is a Spin feature spindle does not support: remove it, or run this app with Spin',
    );
  });
});
