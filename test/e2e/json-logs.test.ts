/**
 * `spindle up --log-format json` writes logs a shipper can take as they are: every line
 * on stdout and stderr one JSON object with a string level, the banner and a failed start
 * included; `--log-level debug` adds one line per event; guest output stays one line per
 * guest line, tagged; a secret variable's value never shows.
 */
import { type AddressInfo, createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { manifestDir } from '../support/manifest-dir.ts';
import { postEvent } from '../support/post-event.ts';
import { runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const TOKEN = 'tok-7f3a9c-secret';

let wasm: string;
const cleanups = cleanupAfterEach();

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
});

/** An app whose sink URL holds a secret variable, served with `--log-format json` and `flags`. */
async function serve(sink: EventReceiver, flags: string[]): Promise<SpindleProcess> {
  const dir = await manifestDir({
    'spindle.toml': `[application]
name = "json-logs"
[variables]
token = { default = "${TOKEN}", secret = true }
[[trigger.cloudevents]]
component = "behaviours"
sink = "${sink.url}hooks/{{ token }}"
retry = { attempts = 2, backoff_ms = 1, max_delay_ms = 1 }
[component.behaviours]
source = "${wasm}"
`,
  });
  const spindle = await startSpindle(['-f', dir, '--log-format', 'json', ...flags]);
  cleanups.push(() => spindle.stop('SIGKILL'));
  return spindle;
}

async function receiver(): Promise<EventReceiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

type Record_ = { level: unknown; msg?: unknown; [key: string]: unknown };

/** Every line printed, each parsed: fails naming the line that is not one JSON object. */
function records(output: string): Record_[] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record_;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

describe('spindle up --log-format json', () => {
  it('prints only JSON lines with string levels; at debug, one line per event; never a secret', async () => {
    const sink = await receiver();
    const spindle = await serve(sink, ['--log-level', 'debug']);
    sink.failNext(1); // a sink failure is logged with the sink's URL: its secret must be masked
    expect((await postEvent(spindle.url, { type: 'test.echo', id: 'j1' })).status).toBe(202);
    expect((await postEvent(spindle.url, { type: 'test.log', id: 'j2' })).status).toBe(202);
    expect((await postEvent(spindle.url, { type: 'test.invalid', id: 'j3' })).status).toBe(400);
    await waitFor(() => spindle.output().includes('"event":"j3"'), { what: 'the line of event j3' });
    const metrics = await (await fetch(new URL('/metrics', spindle.url))).text();
    expect(metrics).toContain('hooks/***'); // the sink's label, masked too
    expect(metrics).not.toContain(TOKEN);
    expect(await spindle.stop('SIGTERM')).toBe(0);

    const output = spindle.output();
    const lines = records(output);
    expect(lines.every((r) => typeof r.level === 'string' && !Number.isNaN(Date.parse(String(r.time))))).toBe(true);
    expect(lines.find((r) => String(r.msg).startsWith('Serving'))).toMatchObject({
      level: 'info',
      msg: `Serving ${spindle.url.href} (app json-logs)`,
      url: spindle.url.href,
      routes: [`POST ${spindle.url.href} -> behaviours`],
    });
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'stopping: finishing events in flight' });
    expect(output).toContain('hooks/***');
    expect(output).not.toContain(TOKEN);

    const done = lines.filter((r) => r.msg === 'event done');
    expect(done.map(({ time, durationMs, ...rest }) => rest)).toEqual(
      [
        ['j1', 'test.echo', 'emitted'],
        ['j2', 'test.log', 'emitted'],
        ['j3', 'test.invalid', 'failed'],
      ].map(([event, type, outcome]) => ({
        level: 'debug',
        msg: 'event done',
        event,
        type,
        trigger: 'cloudevents[0]',
        component: 'behaviours',
        outcome,
      })),
    );
    expect(done.every((r) => typeof r.durationMs === 'number' && r.durationMs >= 0)).toBe(true);

    // The guest's two lines, one record each, tagged with the component.
    const guest = lines.filter((r) => r.component === 'behaviours' && r.stream !== undefined);
    expect(guest.map(({ level, stream, msg }) => ({ level, stream, msg }))).toEqual([
      { level: 'info', stream: 'stdout', msg: 'stdout line from j2' },
      { level: 'warn', stream: 'stderr', msg: 'stderr line from j2' },
    ]);
  });

  it('logs no line per event at the default level (info)', async () => {
    const sink = await receiver();
    const spindle = await serve(sink, []);
    expect((await postEvent(spindle.url, { type: 'test.echo', id: 'i1' })).status).toBe(202);
    await waitFor(() => sink.events.length === 1, { what: 'the event at the sink' });
    expect(await spindle.stop('SIGTERM')).toBe(0);
    const lines = records(spindle.output());
    expect(lines.map((r) => r.level)).not.toContain('debug');
    expect(lines.some((r) => r.msg === 'event done')).toBe(false);
  });

  it('reports a failed start as a JSON line too', async () => {
    const dir = await manifestDir({ 'spindle.toml': '[application]\nname = "bad"\nsurprise = 1\n' });
    const { code, stdout, stderr } = await runSpindle(['up', '-f', dir, '--log-format', 'json']);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const lines = records(stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'fatal', msg: expect.stringMatching(/spindle\.toml: .*surprise/) });
  });

  it('says once that the port is in use, the cause an object of its own', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const listen = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
    const dir = await manifestDir({
      'spindle.toml': `[application]\nname = "taken"\n[[trigger.cloudevents]]\ncomponent = "b"\n[component.b]\nsource = "${wasm}"\n`,
    });
    const { code, stdout } = await runSpindle(['up', '-f', dir, '--listen', listen, '--log-format', 'json']);
    expect(code).toBe(1);
    const fatal = records(stdout).filter((r) => r.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toBe(`cannot listen on ${listen}: listen EADDRINUSE: address already in use ${listen}`);
    expect(fatal[0]?.err).toMatchObject({ message: fatal[0]?.msg, cause: { code: 'EADDRINUSE' } });
  });
});
