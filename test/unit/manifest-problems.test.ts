import { describe, expect, it } from 'vitest';
import { AdapterRegistry } from '../../src/adapters.ts';
import { type ComponentDefinition, defineApp } from '../../src/app/define.ts';
import { loadApp } from '../../src/app/load.ts';
import { ManifestError, ManifestErrors } from '../../src/errors.ts';
import { parseTriggerTable } from '../../src/trigger-tables.ts';
import { manifestDir } from '../support/manifest-dir.ts';

/** Every problem loadApp reports for `manifest` (named `name`), with the directory as `<dir>`. */
async function loadProblems(manifest: string, name = 'spindle.toml'): Promise<string[]> {
  const dir = await manifestDir({ 'c.wasm': '', [name]: manifest });
  const error = await loadApp(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  const problems = error instanceof ManifestErrors ? error.problems : [error as ManifestError];
  // The message lists the same problems, one a line.
  expect((error as Error).message.split('\n')).toEqual(problems.map((p) => p.message));
  return problems.map((p) => p.message.replaceAll(dir, '<dir>'));
}

describe('a manifest reports every problem it has, not only the first', () => {
  it('spindle.toml: typos in different tables, each with its did-you-mean', async () => {
    const problems = await loadProblems(`[application]
name = "typos"
[[trigger.http]]
route = "/"
componnet = "c"
[component.c]
source = "c.wasm"
instance = "reuse"
`);
    expect(problems).toEqual([
      "<dir>/spindle.toml: [component.c] instance: unknown field 'instance' (did you mean instances?) (expected source, description, files, environment, allowed_outbound_hosts, allowed_http_hosts, build, exclude_files, instances, threads, timeout_ms, memory_limit_mb, max_output_kb, outbound_timeout_ms, variables)",
      "<dir>/spindle.toml: [trigger.http[0]] component: is required (the id of the component to run) (found 'componnet': did you mean component?)",
    ]);
  });

  it('spindle.toml: several problems in one table, a bad type beside an unknown key', async () => {
    const problems = await loadProblems(`[application]
name = "one-table"
[component.c]
source = "c.wasm"
threads = "two"
timeout_ms = 0
instances = "pooled"
environmnet = { A = "b" }
`);
    expect(problems).toEqual([
      '<dir>/spindle.toml: [component.c] instances: expected "fresh" or "reuse", got "pooled"',
      '<dir>/spindle.toml: [component.c] threads: expected a number, got the string "two"',
      '<dir>/spindle.toml: [component.c] timeout_ms: must be at least 1, got 0',
      expect.stringContaining(
        "<dir>/spindle.toml: [component.c] environmnet: unknown field 'environmnet' (did you mean environment?)",
      ),
    ]);
  });

  it('Spin v2 spin.toml: a bad component id, a bad variable and an unknown application key', async () => {
    const problems = await loadProblems(
      `spin_manifest_version = 2
[application]
name = "v2"
descripton = "typo"
[variables]
token = { default = 1 }
[component.Bad_Id]
source = "c.wasm"
[component.Bad_Id.variables]
token = "{{ token }}"
[[trigger.http]]
route = "/"
component = "Bad_Id"
`,
      'spin.toml',
    );
    // The component and the variable still exist for what refers to them: no "is not
    // defined" nor "is not declared" as a consequence.
    expect(problems).toEqual([
      '<dir>/spin.toml: [variables.token] default: expected a string, got number 1',
      expect.stringContaining(
        "<dir>/spin.toml: [application] descripton: unknown field 'descripton' (did you mean description?)",
      ),
      "<dir>/spin.toml: [component.Bad_Id]: 'Bad_Id' is not a valid component id: component ids are kebab-case: lowercase letters and digits in words joined by single hyphens, starting with a letter",
    ]);
  });

  it('Spin v1 spin.toml: problems in several [[component]] tables and their triggers', async () => {
    const problems = await loadProblems(
      `spin_manifest_version = "1"
name = "v1"
trigger = { type = "http", base = "/" }
[[component]]
id = "first"
source = "c.wasm"
[component.trigger]
route = "/one"
component = "other"
[[component]]
source = "c.wasm"
[[component]]
id = "third"
source = "missing.wasm"
memory_limit_mb = "lots"
`,
      'spin.toml',
    );
    expect(problems).toEqual([
      '<dir>/spin.toml: [component[0].trigger] component: is not a v1 field: the trigger runs the [[component]] it belongs to',
      '<dir>/spin.toml: [component[1]] id: is required (a string)',
      '<dir>/spin.toml: [component[2]] source: no such file: <dir>/missing.wasm',
      '<dir>/spin.toml: [component[2]] memory_limit_mb: expected a number, got the string "lots"',
    ]);
  });

  it('reports no consequence of a problem: a bad value read as absent is not also missing', async () => {
    const problems = await loadProblems(`[application]
name = "consequences"
[variables]
token = { default = 1 }
[component.c]
source = "c.wasm"
[component.c.build]
command = 5
[component.c.variables]
token = "{{ token }}"
`);
    expect(problems).toEqual([
      '<dir>/spindle.toml: [variables.token] default: expected a string, got number 1',
      '<dir>/spindle.toml: [component.c.build] command: expected a string or a list of strings, got number 5',
    ]);
  });

  it('keeps the message of a lone problem as it was', async () => {
    const problems = await loadProblems('[application]\nname = "x"\nbogus = 1\n');
    expect(problems).toEqual([
      "<dir>/spindle.toml: [application] bogus: unknown field 'bogus' (expected name, version, description, authors, trigger, limits)",
    ]);
  });

  it('defineApp reports every problem of a definition too', () => {
    // What a JavaScript caller (no type checking) might pass.
    const transform = { source: new Uint8Array([0]), instances: 'pooled', treads: 2 } as unknown as ComponentDefinition;
    const define = () =>
      defineApp({
        name: 'embedded',
        components: { transform },
        triggers: [{ type: 'cloudevents', component: 'missing' }],
      });
    expect(define).toThrow(
      [
        '<embedded>: [components.transform] instances: expected "fresh" or "reuse", got "pooled"',
        "<embedded>: [components.transform] treads: unknown field 'treads' (did you mean threads?)",
      ].join('\n'),
    );
    expect(define).toThrow(
      /\(did you mean threads\?\) \(expected [^\n]*\)\n<embedded>: \[triggers\[0\]\] component: no component 'missing' is defined$/,
    );
  });
});

describe('a trigger table parsed by its adapter reports every bad field', () => {
  /** The problems `raw`, a table of the built-in `type`, has, one a line. */
  async function tableProblems(type: string, raw: Record<string, unknown>): Promise<string> {
    const dir = await manifestDir({ 'spindle.toml': '[application]\nname = "t"\n' });
    const app = await loadApp(dir);
    const adapter = await new AdapterRegistry({}).trigger(type);
    if (adapter === undefined) throw new Error(`no ${type} adapter`);
    try {
      parseTriggerTable(app, adapter, { table: `trigger.${type}[0]`, raw });
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      return (error as Error).message.replaceAll(app.file, '<file>');
    }
    throw new Error('no problem reported');
  }

  it("an adapter's own rules, and a bad value not also called missing", async () => {
    // brokers = 5 reads as absent, which stops the table: only that is reported of it.
    expect(
      await tableProblems('kafka', { component: 'c', brokers: 5, topic: 'bad topic', group: '', message_type: '' }),
    ).toBe(
      [
        '<file>: [trigger.kafka[0]] message_type: must not be empty',
        '<file>: [trigger.kafka[0]] brokers: expected a string or a list of strings, got number 5',
      ].join('\n'),
    );
    expect(
      await tableProblems('redis', {
        component: 'c',
        address: 'http://127.0.0.1',
        channel: '',
        group: 'g',
        claim_idle_ms: 1,
      }),
    ).toBe(
      [
        '<file>: [trigger.redis[0]] address: expected a redis:// or rediss:// URI, got "http://127.0.0.1"',
        '<file>: [trigger.redis[0]] channel: must not be empty',
        "<file>: [trigger.redis[0]] group: applies to a 'stream' only, not to a pub/sub 'channel'",
        "<file>: [trigger.redis[0]] claim_idle_ms: applies to a 'stream' only, not to a pub/sub 'channel'",
      ].join('\n'),
    );
  });

  it('a bad type, a bad sink URI and an unknown key with its did-you-mean', async () => {
    const dir = await manifestDir({ 'c.wasm': '', 'spindle.toml': '[application]\nname = "t"\n' });
    const app = await loadApp(dir);
    const adapter = await new AdapterRegistry({}).trigger('redis');
    if (adapter === undefined) throw new Error('no redis adapter');
    const parse = () =>
      parseTriggerTable(app, adapter, {
        table: 'trigger.redis[0]',
        raw: {
          component: 'c',
          address: 'redis://127.0.0.1:6379',
          stream: 'in',
          claim_idle_ms: 'soon',
          sink: '127.0.0.1:9092',
          consumr: 'me',
        },
      });
    expect(parse).toThrow(ManifestErrors);
    expect(() => parse()).toThrow(
      [
        `${app.file}: [trigger.redis[0]] sink: expected a URI with a scheme, such as http://host:port/ or kafka://host:9092/topic, got "127.0.0.1:9092"`,
        `${app.file}: [trigger.redis[0]] claim_idle_ms: expected a number, got the string "soon"`,
        `${app.file}: [trigger.redis[0]] consumr: unknown field 'consumr' (did you mean consumer?)`,
      ].join('\n'),
    );
  });
});
