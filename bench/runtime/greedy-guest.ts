/**
 * spindle's RSS ceiling with a guest that allocates without bound, at `threads = 1` and
 * `threads = 2`, and with a guest that floods its output. `spindle up` runs as a child
 * process with a CloudEvents target; its resident memory is read from /proc (Linux):
 * `VmRSS` once it serves, `VmHWM` (the peak) after the events.
 *
 *   node bench/runtime/greedy-guest.ts [--limit-mb 256] [--rounds 2] [--flood-mb 550]
 *
 * Greedy guest: test/fixtures/wat/greedy.wat (grows its memory 1 MiB at a time, writing
 * every byte, until memory.grow fails, then traps). Each round sends one greedy event
 * per worker at once. Flood guest: test/fixtures/components/flood.js (StarlingMonkey),
 * one event printing `--flood-mb` lines of 1 KiB, with the default max_output_kb.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFixture } from '../../test/support/fixtures.ts';
import { postEvent } from '../../test/support/post-event.ts';
import { residentMb } from '../../test/support/process-memory.ts';
import { type SpindleProcess, startSpindle } from '../../test/support/spindle-process.ts';
import { buildWatFixture } from '../../test/support/wat-fixtures.ts';

const { values } = parseArgs({
  options: {
    'limit-mb': { type: 'string', default: '256' },
    rounds: { type: 'string', default: '2' },
    'flood-mb': { type: 'string', default: '550' },
  },
});
const limitMb = Number(values['limit-mb']);
const rounds = Number(values.rounds);
const floodMb = Number(values['flood-mb']);

async function serve(wasm: string, fields: string): Promise<SpindleProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-bench-greedy-'));
  writeFileSync(
    join(dir, 'spindle.toml'),
    `[application]\nname = "greedy"\n[[trigger.cloudevents]]\ncomponent = "guest"\n[component.guest]\nsource = "${wasm}"\n${fields}\n`,
  );
  return startSpindle(['-f', dir, '--log-format', 'json'], { timeoutMs: 300_000 });
}

const post = (url: URL, type: string, id: string, subject?: string) =>
  postEvent(url, { type, id, source: '/bench', ...(subject === undefined ? {} : { subject }) });

const mb = (value: number) => `${Math.round(value)} MB`;

console.log(`Node ${process.version}, memory_limit_mb = ${limitMb}, ${rounds} rounds of one greedy event per worker`);
const greedy = await buildWatFixture('greedy');
for (const threads of [1, 2]) {
  // A deadline far off: on a loaded machine a greedy event takes tens of seconds to fill
  // 256 MB, and the ceiling is measured when the memory limit stops it.
  const spindle = await serve(greedy, `threads = ${threads}\nmemory_limit_mb = ${limitMb}\ntimeout_ms = 600000`);
  try {
    const pid = spindle.child.pid as number;
    const startMb = residentMb(pid, 'VmRSS');
    const start = performance.now();
    const outcomes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const replies = await Promise.all(
        Array.from({ length: threads }, (_, i) => post(spindle.url, 'greedy', `g${round}-${i}`)),
      );
      for (const reply of replies) {
        const body = await reply.text();
        const limited = body.includes(`exceeded its memory limit of ${limitMb} MB`);
        outcomes.push(`${reply.status}${limited ? ' naming the limit' : ` (${body})`}`);
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const served = (await post(spindle.url, 'echo', 'after')).status;
    const peakMb = residentMb(pid, 'VmHWM');
    console.log(
      `threads = ${threads}: RSS ${mb(startMb)} serving, peak ${mb(peakMb)} (+${mb(peakMb - startMb)}; ` +
        `threads x limit = ${threads * limitMb} MB); ${outcomes.length} greedy events -> ${[...new Set(outcomes)].join(', ')} ` +
        `in ${seconds.toFixed(1)} s; next event -> ${served}`,
    );
  } finally {
    await spindle.stop('SIGKILL');
  }
}

if (floodMb > 0) {
  const spindle = await serve(await buildFixture('flood'), 'threads = 1');
  try {
    const pid = spindle.child.pid as number;
    const startMb = residentMb(pid, 'VmRSS');
    const start = performance.now();
    const reply = await post(spindle.url, 'flood', 'loud', String(floodMb * 1024));
    const seconds = (performance.now() - start) / 1000;
    const peakMb = residentMb(pid, 'VmHWM');
    const dropped = /"droppedBytes":(\d+)/.exec(spindle.output())?.[1];
    console.log(
      `flood guest, ${floodMb} MB printed in one event: ${reply.status} in ${seconds.toFixed(1)} s; ` +
        `RSS ${mb(startMb)} serving, peak ${mb(peakMb)} (+${mb(peakMb - startMb)}), RSS after ${mb(residentMb(pid, 'VmRSS'))}; ` +
        `dropped ${dropped} bytes`,
    );
  } finally {
    await spindle.stop('SIGKILL');
  }
}
