/**
 * bench/http-target/threads.ts: events per second against spindle's worker threads
 * (`threads` = 0, the main thread only, then 1, 2 and 4 workers), reused instances,
 * beside the plain express handler, under the same closed-loop load as run.ts. Each
 * round measures every setting; the figures are medians over the rounds.
 * Usage: node bench/http-target/threads.ts [--seconds 5] [--concurrency 32] [--rounds 3] [--load node]
 */
import { markdownTable, percent, perSecond } from '../markdown-table.ts';
import { buildExample, exampleWith, expressTarget, spindleUp } from './example.ts';
import { type Figures, measureRounds } from './measure.ts';
import { loadArgs } from './options.ts';

const values = loadArgs({ seconds: '5', rounds: '3' });
const THREADS = [0, 1, 2, 4];
buildExample();
const targets = [
  { name: 'express (plain JS)', args: expressTarget },
  ...THREADS.map((threads) => ({
    name: `spindle, threads = ${threads}`,
    args: spindleUp(exampleWith('reuse', threads)),
  })),
];
console.log(`load (${values.load}): ${values.concurrency} concurrent requests for ${values.seconds} s per target\n`);

const { rounds, medians } = await measureRounds(targets, values);

const express = medians[0] as Figures;
const rows = targets.map(({ name }, i) => {
  const figures = medians[i] as Figures;
  return [
    name,
    perSecond(figures.eventsPerSecond),
    `${figures.p50ms} ms`,
    `${figures.p99ms} ms`,
    i === 0 ? '' : percent(figures.eventsPerSecond, express.eventsPerSecond),
    rounds.map((round) => round[i]?.eventsPerSecond).join(' '),
  ];
});
console.log(`\n${markdownTable(['target', 'events/s', 'p50', 'p99', 'vs express', 'rounds'], rows)}`);
