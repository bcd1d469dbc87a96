/**
 * bench/http-target: the example transform served by spindle (reused and fresh
 * instances) side by side with a plain express handler doing the same in JavaScript,
 * each under the same concurrent load from a second process: wrk where it is installed
 * (`apt-get install wrk`), else load.ts.
 * With `--rounds N`, the rounds alternate the targets and the ratios are of the medians.
 * Usage: node bench/http-target/run.ts [--seconds 10] [--concurrency 32] [--rounds 1] [--load node]
 */
import { buildExample, exampleWith, expressTarget, spindleUp as up } from './example.ts';
import { type Figures, measureRounds } from './measure.ts';
import { loadArgs } from './options.ts';

const values = loadArgs({ seconds: '10', rounds: '1' });
buildExample();

// Default threads (src/runtime/limits.ts), then the main thread only and 2 workers for comparison.
const targets = [
  { name: 'express (plain JS)', args: expressTarget },
  { name: 'spindle, reused instances', args: up(exampleWith('reuse')) },
  { name: '  same, threads = 0', args: up(exampleWith('reuse', 0)) },
  { name: '  same, threads = 2', args: up(exampleWith('reuse', 2)) },
  { name: 'spindle, fresh instances', args: up(exampleWith('fresh')) },
];
console.log(`load (${values.load}): ${values.concurrency} concurrent requests for ${values.seconds} s per target\n`);
const { rounds, medians } = await measureRounds(targets, values);
if (rounds.length > 1)
  for (const [i, { name }] of targets.entries())
    console.log(`median ${name.trim().padEnd(25)} ${JSON.stringify(medians[i])}`);
const [express, reuse, mainThread, twoWorkers, fresh] = medians as [Figures, Figures, Figures, Figures, Figures];
const ratio = (f: Figures) => `${((100 * f.eventsPerSecond) / express.eventsPerSecond).toFixed(0)}%`;
console.log(
  `\nspindle/express events per second: reused ${ratio(reuse)} (threads = 0: ${ratio(mainThread)}, ` +
    `threads = 2: ${ratio(twoWorkers)}), fresh ${ratio(fresh)}`,
);
