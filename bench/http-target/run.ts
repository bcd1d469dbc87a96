/**
 * bench/http-target: the example transform served by spindle (reused and fresh
 * instances) side by side with a plain express handler doing the same in JavaScript,
 * each under the same concurrent load from a second process: wrk where it is installed
 * (`apt-get install wrk`), else load.ts.
 * Usage: node bench/http-target/run.ts [--seconds 10] [--concurrency 32] [--load node]
 */
import { parseArgs } from 'node:util';
import { buildExample, exampleWith, expressTarget, spindleUp as up } from './example.ts';
import { type Figures, measure as measureWith } from './measure.ts';
import { hasWrk } from './wrk.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    load: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
  },
});
buildExample();

const measure = (name: string, args: string[]) => measureWith(name, args, values);
console.log(`load (${values.load}): ${values.concurrency} concurrent requests for ${values.seconds} s per target\n`);
const express = await measure('express (plain JS)', expressTarget);
// Default threads (src/runtime/limits.ts), then the main thread only and 2 workers for comparison.
const reuse = await measure('spindle, reused instances', up(exampleWith('reuse')));
const mainThread = await measure('  same, threads = 0', up(exampleWith('reuse', 0)));
const twoWorkers = await measure('  same, threads = 2', up(exampleWith('reuse', 2)));
const fresh = await measure('spindle, fresh instances', up(exampleWith('fresh')));
const ratio = (f: Figures) => `${((100 * f.eventsPerSecond) / express.eventsPerSecond).toFixed(0)}%`;
console.log(
  `\nspindle/express events per second: reused ${ratio(reuse)} (threads = 0: ${ratio(mainThread)}, ` +
    `threads = 2: ${ratio(twoWorkers)}), fresh ${ratio(fresh)}`,
);
