/**
 * bench/http-target/sizes.ts: events per second against the size of the event's JSON
 * data (1 KB, 64 KB, 1 MB), spindle (reused instances, default threads) against the
 * plain express handler, under the same closed-loop load as run.ts. Each round measures
 * both at every size; the figures are medians over the rounds, the ratio is theirs.
 * Usage: node bench/http-target/sizes.ts [--seconds 5] [--concurrency 32] [--rounds 3] [--load node]
 */
import { markdownTable, percent, perSecond } from '../markdown-table.ts';
import { buildExample, exampleWith, expressTarget, spindleUp } from './example.ts';
import { type Figures, measure, medianFigures } from './measure.ts';
import { loadArgs } from './options.ts';

const values = loadArgs({ seconds: '5', rounds: '3' });
const SIZES = [
  { label: '1 KB', bytes: 1024 },
  { label: '64 KB', bytes: 64 * 1024 },
  { label: '1 MB', bytes: 1024 * 1024 },
];
buildExample();
const spindle = spindleUp(exampleWith('reuse'));
console.log(
  `load (${values.load}): ${values.concurrency} concurrent requests, ${values.seconds} s per target and size\n`,
);

const rounds: { express: Figures; spindle: Figures }[][] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  const sizes = [];
  for (const { label, bytes } of SIZES) {
    const options = { ...values, bytes };
    sizes.push({
      express: await measure(`express, ${label}`, expressTarget, options),
      spindle: await measure(`spindle, ${label}`, spindle, options),
    });
  }
  rounds.push(sizes);
}

const rows = SIZES.map(({ label, bytes }, i) => {
  const express = medianFigures(rounds.map((sizes) => sizes[i]?.express as Figures));
  const ours = medianFigures(rounds.map((sizes) => sizes[i]?.spindle as Figures));
  const megabytes = (figures: Figures) => ((figures.eventsPerSecond * bytes) / 2 ** 20).toFixed(1);
  return [
    label,
    `${perSecond(express.eventsPerSecond)} (${megabytes(express)} MB/s)`,
    `${perSecond(ours.eventsPerSecond)} (${megabytes(ours)} MB/s)`,
    `${ours.p99ms} ms`,
    percent(ours.eventsPerSecond, express.eventsPerSecond),
    rounds.map((sizes) => `${sizes[i]?.spindle.eventsPerSecond}/${sizes[i]?.express.eventsPerSecond}`).join(' '),
  ];
});
console.log(
  `\n${markdownTable(['event data', 'express events/s', 'spindle events/s', 'spindle p99', 'vs express', 'rounds (spindle/express)'], rows)}`,
);
