import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { buildExampleTransform, runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

beforeAll(async () => {
  await buildExampleTransform();
});

describe('embedding (examples/embed)', () => {
  it('defines an app in code, invokes the component directly and over HTTP, and stops', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'examples/embed/embed.ts')], { cwd: tmpdir() });
    expect(stdout).toMatch(/^serving http:\/\/127\.0\.0\.1:\d+\/transform$/m);
    expect(stdout).toContain(
      'invoked: type io.example.order.embedded, source spin-app, data {"order":42,"hello":"wasm"}',
    );
    expect(stdout).toContain('over HTTP: 200 io.example.order.embedded {"order":43,"hello":"wasm"}');
  });
});

describe('custom trigger types', () => {
  let receiver: EventReceiver;
  const running: SpindleProcess[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const p of running) await p.stop('SIGKILL');
    await receiver.close();
  });

  it('loads a local TriggerAdapter module named in the manifest (examples/custom-trigger)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-filedrop-'));
    const inbox = join(dir, 'inbox');
    mkdirSync(inbox);
    writeFileSync(
      join(dir, 'spindle.toml'),
      `[application]
name = "filedrop"
[variables]
suffix = { default = ".dropped" }
[application.trigger.filedrop]
module = "${join(ROOT, 'examples/custom-trigger/filedrop-trigger.ts')}"
[[trigger.filedrop]]
dir = "inbox"
component = "transform"
sink = "${receiver.url}"
[component.transform]
source = "${join(ROOT, 'examples/transform/transform.wasm')}"
[component.transform.variables]
suffix = "{{ suffix }}"
`,
    );
    const spindle = await startSpindle(['-f', dir]);
    running.push(spindle);
    expect(spindle.output()).toContain(`files dropped in ${inbox} -> transform`);
    writeFileSync(join(inbox, 'order-7.json'), '{"order": 7}');
    await waitFor(() => receiver.events.some((e) => e.id === 'order-7.json'), { what: 'the dropped file as an event' });
    const event = receiver.events.find((e) => e.id === 'order-7.json');
    expect(event?.type).toBe('dev.example.file.dropped.dropped');
    expect(JSON.parse(Buffer.from(event?.data ?? []).toString())).toEqual({ order: 7, hello: 'wasm' });
    await waitFor(() => readdirSync(inbox).length === 0, { what: 'the processed file deleted' });
  });

  it('says which module a trigger type needs when it is unknown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-unknown-'));
    const wasm = await buildFixture('behaviours');
    writeFileSync(
      join(dir, 'spindle.toml'),
      `[application]\nname = "x"\n[[trigger.nats]]\ncomponent = "c"\n[component.c]\nsource = "${wasm}"\n`,
    );
    const result = await runSpindle(['up', '-f', dir, '--listen', '127.0.0.1:0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\[trigger\.nats\[0\]\]: unknown trigger type 'nats'.*\[application\.trigger\.nats\] module/,
    );
  });
});

describe('the timer trigger (Spin custom trigger example)', () => {
  let wasm: string;
  // A cold build takes 5–12 s alone and over a minute on a busy machine: not in the test's time.
  beforeAll(async () => {
    wasm = await buildFixture('timer', { worldName: 'timer' });
  }, 180_000);

  it('calls handle-timer-request at every tick, with the app-level speedup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-timer-'));
    writeFileSync(
      join(dir, 'spindle.toml'),
      `[application]
name = "timer"
[application.trigger.timer]
speedup = 20
[[trigger.timer]]
component = "ticker"
interval_secs = 1
[component.ticker]
source = "${wasm}"
[component.ticker.variables]
label = "spindle"
`,
    );
    const spindle = await startSpindle(['-f', dir, '--log-format', 'json']);
    try {
      expect(spindle.output()).toContain('timer every 0.05 s -> ticker');
      await waitFor(() => (spindle.output().match(/tick from spindle/g) ?? []).length >= 3, {
        what: 'three ticks',
        timeoutMs: 10_000,
      });
      const line =
        spindle
          .output()
          .split('\n')
          .find((l) => l.includes('tick from spindle')) ?? '';
      expect(JSON.parse(line)).toMatchObject({ component: 'ticker', stream: 'stdout' });
    } finally {
      await spindle.stop();
    }
  });
});
