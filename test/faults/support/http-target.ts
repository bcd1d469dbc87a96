/**
 * A fault case on the CloudEvents target (HTTP): `spindle up` replying with the
 * transformed event, and a tally of the replies. An event answered with an error is
 * refused to its sender, who still holds it: it counts as kept.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { onTestFailed } from 'vitest';
import type { Cleanup } from '../../support/cleanups.ts';
import { type SpindleProcess, startSpindle } from '../../support/spindle-process.ts';
import type { Tally } from './fault-rows.ts';

/**
 * `spindle up` with a CloudEvents target on `wasm` (replying with the emitted event, or
 * sending it to `sink` and answering 202), or with `http`, an HTTP trigger on `/...` (a
 * Spin HTTP or WASI HTTP guest); stopped after the test by `cleanups`.
 */
export async function startTarget(
  wasm: string,
  options: { component?: Record<string, unknown>; limits?: Record<string, unknown>; sink?: string; http?: boolean },
  cleanups: { push(cleanup: Cleanup): void },
): Promise<SpindleProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-faults-http-'));
  const manifest = {
    application: { name: 'faults', ...(options.limits ? { limits: options.limits } : {}) },
    trigger: options.http
      ? { http: [{ component: 'guest', route: '/...' }] }
      : {
          cloudevents: [
            { component: 'guest', retry: { attempts: 1 }, ...(options.sink ? { sink: options.sink } : {}) },
          ],
        },
    component: { guest: { source: wasm, ...options.component } },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  const spindle = await startSpindle(['-f', dir, '--log-format', 'json']);
  cleanups.push(() => spindle.stop('SIGKILL'));
  onTestFailed(() => console.error(`spindle printed:\n${spindle.output().slice(-20_000)}`));
  return spindle;
}

/** Replies counted by the event id the test sent. */
export class ReplyTally {
  readonly ids: string[] = [];
  readonly delivered: string[] = [];
  readonly refused: string[] = [];
  /** Error answers' bodies, by event id. */
  readonly reasons = new Map<string, string>();

  /** Count `reply` to the event `id`: a 2xx carrying the event is delivered, an error is refused with its reason. */
  async count(id: string, reply: Response): Promise<void> {
    this.ids.push(id);
    if (reply.ok && reply.headers.get('ce-id') === id) {
      this.delivered.push(id);
      await reply.body?.cancel();
      return;
    }
    this.refuse(id, `${reply.status} ${await reply.text()}`);
  }

  /** Count the request `id` as served (an answer that is no CloudEvent: a Spin HTTP guest's). */
  deliver(id: string): void {
    this.ids.push(id);
    this.delivered.push(id);
  }

  /** Count the event `id` as refused with `reason` (an answer read off a raw socket, say). */
  refuse(id: string, reason: string): void {
    if (!this.ids.includes(id)) this.ids.push(id);
    this.refused.push(id);
    this.reasons.set(id, reason);
  }

  tally(note?: string): Tally {
    return {
      sent: this.ids.length,
      ids: this.ids,
      delivered: this.delivered,
      deadLettered: [],
      kept: this.refused,
      ...(note === undefined ? {} : { note }),
    };
  }
}
