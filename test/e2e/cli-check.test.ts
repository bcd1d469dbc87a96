import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../support/fixtures.ts';
import { manifestDir } from '../support/manifest-dir.ts';
import { runSpindle } from '../support/spindle-process.ts';

let wasm: string;
beforeAll(async () => {
  wasm = await buildFixture('behaviours');
}, 180_000);

describe('spindle check', () => {
  it('prints the components, routes and sinks of a good app and exits 0, contacting no broker', async () => {
    const dir = await manifestDir({
      'spindle.toml': `[application]
name = "good"
[variables]
sink_host = { required = true }
password = { default = "hunter2", secret = true }
[[trigger.cloudevents]]
route = "/orders"
component = "echo"
[[trigger.kafka]]
brokers = ["127.0.0.1:1"]
topic = "in"
component = "echo"
sink = "redis://{{ sink_host }}:6379?stream=out"
dead_letter = "amqp://guest:{{ password }}@127.0.0.1:1/?routing_key=dead"
[component.echo]
source = "${wasm}"
`,
    });
    // The required variable from the environment, as `spindle up` takes it; port 1 has no broker.
    const checked = await runSpindle(['check', '-f', dir], { env: { SPIN_VARIABLE_SINK_HOST: 'cache.local' } });
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('echo: spindle:event/handler');
    expect(checked.stdout).toContain('[trigger.cloudevents[0]] /orders -> echo');
    expect(checked.stdout).toContain(
      '[trigger.kafka[0]] -> echo sink redis://cache.local:6379?stream=out dead_letter amqp://guest:***@127.0.0.1:1/?routing_key=dead',
    );
    expect(checked.stdout).not.toContain('hunter2');
  });

  it('exits 1 listing every problem, across components and triggers', async () => {
    const dir = await manifestDir({
      'spindle.toml': `[application]
name = "bad"
[variables]
token = { required = true }
[[trigger.cloudevents]]
component = "missing"
[[trigger.redis]]
address = "redis://127.0.0.1:1"
stream = "in"
component = "echo"
sink = "kafak://127.0.0.1:9092/out"
[[trigger.http]]
route = "/..."
component = "echo"
[component.missing]
source = "missing.wasm"
[component.missing.build]
command = "make"
[component.echo]
source = "${wasm}"
[component.echo.variables]
token = "{{ token }}"
`,
    });
    const checked = await runSpindle(['check', '-f', dir]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('4 problems:'); // and no consequence of them reported as a fifth
    expect(checked.stderr).toContain("variable 'token' is required and has no value");
    expect(checked.stderr).toMatch(
      /\[component\.missing\] source: no such file: .*missing\.wasm \(run `spindle build` first\)/,
    );
    expect(checked.stderr).toContain(
      "[trigger.redis[0]] sink: sink 'kafak://127.0.0.1:9092/out': no adapter handles the scheme 'kafak:' (did you mean kafka:?)",
    );
    expect(checked.stderr).toContain(
      "[trigger.http[0]] component: component 'echo' implements spindle:event/handler; a http trigger runs fermyon:spin/inbound-http or wasi:http/incoming-handler",
    );
    // What could be checked is still shown.
    expect(checked.stdout).toContain('echo: spindle:event/handler');
  });

  it('reports every problem of the manifest itself, each with its did-you-mean', async () => {
    const dir = await manifestDir({
      'spindle.toml': `[application]
name = "typos"
[[trigger.cloudevents]]
componnet = "echo"
[component.echo]
source = "${wasm}"
instance = "reuse"
`,
    });
    const checked = await runSpindle(['check', '-f', dir]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('2 problems:');
    expect(checked.stderr).toContain(
      "[trigger.cloudevents[0]] component: is required (the id of the component to run) (found 'componnet': did you mean component?)",
    );
    expect(checked.stderr).toContain("[component.echo] instance: unknown field 'instance' (did you mean instances?)");

    // `spindle up` names both too, one line each.
    const up = await runSpindle(['up', '-f', dir, '--listen', '127.0.0.1:0']);
    expect(up.code).toBe(1);
    const errors = up.stderr.split('\n').filter((line) => line.startsWith('Error: '));
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toContain('did you mean component?');
    expect(errors.join('\n')).toContain('did you mean instances?');

    // And the JSON log stays one object a line: one fatal line per problem.
    const json = await runSpindle(['up', '-f', dir, '--listen', '127.0.0.1:0', '--log-format', 'json']);
    expect(json.code).toBe(1);
    const lines = json.stdout.split('\n').filter((line) => line !== '');
    const fatal = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'fatal');
    expect(fatal.map((entry) => entry.msg)).toEqual([
      expect.stringContaining('did you mean instances?'),
      expect.stringContaining('did you mean component?'),
    ]);
  });

  it('honours --variable, and reports a manifest it cannot read', async () => {
    const dir = await manifestDir({
      'spindle.toml': `[application]\nname = "v"\n[variables]\nt = { required = true }\n[[trigger.cloudevents]]\ncomponent = "echo"\n[component.echo]\nsource = "${wasm}"\n`,
    });
    expect((await runSpindle(['check', '-f', dir, '--variable', 't=x'])).code).toBe(0);
    const typo = await manifestDir({
      'spindle.toml': '[application]\nname = "t"\n[[trigger.cloudevents]]\ncomponnet = "x"\n',
    });
    const checked = await runSpindle(['check', '-f', typo]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(
      "component: is required (the id of the component to run) (found 'componnet': did you mean component?)",
    );
  });
});

describe('the CLI suggests what a typo was meant to be', () => {
  it('for commands and flags', async () => {
    const command = await runSpindle(['chek']);
    expect(command.code).toBe(1);
    expect(command.stderr).toContain("unknown command 'chek' (did you mean 'spindle check'?)");
    const flag = await runSpindle(['up', '--lisen', '127.0.0.1:0']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("unknown option '--lisen' (did you mean --listen?)");
  });

  it('answers --help for every command', async () => {
    for (const command of ['new', 'build', 'up', 'watch', 'check', 'send', 'componentize']) {
      const help = await runSpindle([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`spindle ${command}`);
    }
  });
});
