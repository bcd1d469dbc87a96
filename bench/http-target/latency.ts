/**
 * bench/http-target/latency.ts: latency p50/p99 at half the saturating rate, spindle
 * (reused instances, default threads) and the plain express handler. For each target,
 * in one process: its saturating rate under closed-loop load, then a constant half of
 * that rate (requests sent on a fixed schedule whatever the answers: wrk with a pacing
 * script, or load.ts --rate). Medians over the rounds.
 * Usage: node bench/http-target/latency.ts [--seconds 5] [--concurrency 32] [--rounds 3] [--load node]
 */
import { markdownTable, perSecond } from '../markdown-table.ts';
import { buildExample, exampleWith, expressTarget, spindleUp } from './example.ts';
import { type Figures, measureEach, medianFigures } from './measure.ts';
import { loadArgs } from './options.ts';

const values = loadArgs({ seconds: '5', rounds: '3' });
buildExample();
const targets = [
  { name: 'express (plain JS)', args: expressTarget },
  { name: 'spindle, reused instances', args: spindleUp(exampleWith('reuse')) },
];
console.log(`load (${values.load}): saturating with ${values.concurrency} concurrent requests, then half that rate\n`);

const saturate = () => values;
const halfRate = ([saturated]: Figures[]) => ({
  ...values,
  rate: Math.round((saturated?.eventsPerSecond ?? 0) / 2),
});
const rounds: Figures[][][] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  const figures = [];
  for (const { name, args } of targets) figures.push(await measureEach(name, args, undefined, [saturate, halfRate]));
  rounds.push(figures);
}

const rows = targets.map(({ name }, i) => {
  const saturated = medianFigures(rounds.map((round) => round[i]?.[0] as Figures));
  const half = medianFigures(rounds.map((round) => round[i]?.[1] as Figures));
  return [
    name,
    perSecond(saturated.eventsPerSecond),
    perSecond(half.eventsPerSecond),
    `${half.p50ms} ms`,
    `${half.p99ms} ms`,
    rounds.map((round) => `${round[i]?.[1]?.p50ms}/${round[i]?.[1]?.p99ms}`).join(' '),
  ];
});
console.log(
  `\n${markdownTable(['target', 'saturating events/s', 'half rate, events/s', 'p50', 'p99', 'rounds (p50/p99 ms)'], rows)}`,
);
