/**
 * A fault case's spindle: one trigger on a source of the test's own, one component, the
 * test's HTTP receivers as sink and dead-letter sink. The case breaks something, then
 * `tally` counts where every event went once spindle has settled.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { expect, onTestFailed } from 'vitest';
import type { CloudEvent } from '../../../src/event.ts';
import type { Cleanup } from '../../support/cleanups.ts';
import { type EventReceiver, startReceiver } from '../../support/event-receiver.ts';
import { expectNoProcessWarnings } from '../../support/no-process-warnings.ts';
import { type SpindleProcess, startSpindle } from '../../support/spindle-process.ts';
import { waitFor } from '../../support/wait.ts';
import type { Tally } from './fault-rows.ts';
import type { FaultSource } from './sources.ts';

/** Events a case sends when it has no reason to send another number. */
export const EVENTS = 300;
/** Quick retries: a case waits for its events, not for backoff. */
export const RETRY = { attempts: 3, backoff_ms: 20, max_delay_ms: 200 };

export interface FaultAppOptions {
  source: FaultSource;
  /** The component's wasm. */
  wasm: string;
  /** More of the component's table: threads, timeout_ms, memory_limit_mb, max_output_kb. */
  component?: Record<string, unknown>;
  /** More of the trigger's table (retry unless told is RETRY). */
  trigger?: Record<string, unknown>;
  /** Without a dead-letter sink, what cannot be processed must stay in the broker. */
  deadLetter?: boolean;
}

export interface FaultApp {
  /** The sink and the dead-letter sink (after `restart`, a new receiver on the same port holding what the old one received). */
  readonly sink: EventReceiver;
  readonly dead: EventReceiver;
  /** The spindle process serving now. */
  readonly spindle: SpindleProcess;
  /** Take the sink or the dead-letter sink down (connections refused), run `between`, and bring it back on the same port. */
  restart(which: 'sink' | 'dead', between: () => Promise<void>): Promise<void>;
  /** Start (another) `spindle up` on the app. */
  start(): Promise<SpindleProcess>;
  /** Wait until the sink and the dead-letter sink hold `count` events of distinct ids between them. */
  settle(count: number, timeoutMs?: number): Promise<void>;
  /** Assert the serving process is alive, stop it (SIGTERM, exit 0), and count where the `sent` events went. */
  tally(sent: readonly CloudEvent[], extra?: { sent?: number; note?: string }): Promise<Tally>;
}

export async function faultApp(
  options: FaultAppOptions,
  cleanups: { push(cleanup: Cleanup): void },
): Promise<FaultApp> {
  const { source } = options;
  cleanups.push(() => source.close());
  const receivers = { sink: await startReceiver(), dead: await startReceiver() };
  cleanups.push(() => Promise.all([receivers.sink.close(), receivers.dead.close()]));
  const dir = mkdtempSync(join(tmpdir(), `spindle-faults-${source.type}-`));
  const trigger = {
    ...source.fields,
    component: 'guest',
    sink: receivers.sink.url,
    ...(options.deadLetter === false ? {} : { dead_letter: receivers.dead.url }),
    retry: RETRY,
    ...options.trigger,
  };
  const manifest = {
    application: { name: 'faults' },
    trigger: { [source.type]: [trigger] },
    component: { guest: { source: options.wasm, ...options.component } },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  const processes: SpindleProcess[] = [];
  onTestFailed(() => {
    for (const p of processes) console.error(`spindle (pid ${p.child.pid}) printed:\n${p.output().slice(-20_000)}`);
  });
  const distinct = () => new Set([...receivers.sink.events, ...receivers.dead.events].map((e) => e.id)).size;
  const app: FaultApp = {
    get sink() {
      return receivers.sink;
    },
    get dead() {
      return receivers.dead;
    },
    async restart(which, between) {
      const down = receivers[which];
      await down.close();
      await between();
      const up = await startReceiver(Number(new URL(down.url).port));
      up.events.unshift(...down.events);
      receivers[which] = up;
    },
    get spindle() {
      const current = processes.at(-1);
      if (current === undefined) throw new Error('spindle was not started');
      return current;
    },
    async start() {
      const started = await startSpindle(['-f', dir, '--log-format', 'json']);
      cleanups.push(() => started.stop('SIGKILL'));
      processes.push(started);
      return started;
    },
    settle: (count, timeoutMs = 60_000) =>
      waitFor(() => distinct() >= count, {
        what: `${count} events of distinct ids at the sink and the dead-letter sink (${distinct()} so far)`,
        timeoutMs,
        intervalMs: 100,
      }),
    async tally(sent, extra = {}) {
      const serving = app.spindle;
      expect(serving.child.exitCode, `spindle exited:\n${serving.output().slice(-5_000)}`).toBeNull();
      expect(serving.child.signalCode).toBeNull();
      // A graceful stop acknowledges what was processed: what the broker holds after it was not.
      expect(await serving.stop('SIGTERM'), `spindle's exit on SIGTERM:\n${serving.output().slice(-5_000)}`).toBe(0);
      expectNoProcessWarnings(serving.output());
      return {
        sent: extra.sent ?? sent.length,
        ids: sent.map((e) => e.id),
        delivered: receivers.sink.events.map((e) => e.id),
        deadLettered: receivers.dead.events.map((e) => e.id),
        kept: await source.kept(),
        ...(extra.note === undefined ? {} : { note: extra.note }),
      };
    },
  };
  return app;
}
