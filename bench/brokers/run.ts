/**
 * bench/brokers: events per second through spindle (consume, invoke the example
 * component with a reused instance, emit to the same broker, acknowledge) side by side,
 * in the same run, with a plain client program doing the same transform in JavaScript.
 * Each round runs spindle, then the plain program; the figures are the medians over the
 * rounds (on a 2-core VM one run moves by up to ±20%), the ratio is theirs.
 * Usage: node bench/brokers/run.ts [--events 10000] [--rounds 3] [--only kafka|redis|amqp]
 * Each bench's own settings are environment variables: BENCH_PARTITIONS and
 * BENCH_CONCURRENCY (kafka.ts), BENCH_CONSUMERS (redis.ts), BENCH_PREFETCH (amqp.ts);
 * BENCH_WINDOWS (window.ts) records the measured windows for bench/profile-summary.ts.
 */
import { parseArgs } from 'node:util';
import { benchAmqp } from './amqp.ts';
import { benchKafka } from './kafka.ts';
import { benchRedis } from './redis.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const events = Number(values.events);
const rounds = Number(values.rounds);
const benches = { kafka: benchKafka, redis: benchRedis, amqp: benchAmqp };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const percent = (spindle: number, plain: number) => `${((100 * spindle) / plain).toFixed(0)}%`;

console.log(`${events} events per run, ${rounds} rounds; medians, then each round as spindle/plain\n`);
console.log(`${'broker'.padEnd(14)} ${'spindle ev/s'.padStart(13)} ${'plain ev/s'.padStart(11)}  ratio  rounds`);
for (const [name, bench] of Object.entries(benches)) {
  if (values.only && values.only !== name) continue;
  const results = [];
  for (let round = 0; round < rounds; round++) results.push(await bench({ events }));
  const spindle = median(results.map((r) => r.spindle.eventsPerSecond));
  const plain = median(results.map((r) => r.plain.eventsPerSecond));
  const each = results.map((r) => `${r.spindle.eventsPerSecond}/${r.plain.eventsPerSecond}`).join(' ');
  console.log(
    `${(results[0]?.broker ?? name).padEnd(14)} ${String(spindle).padStart(13)} ${String(plain).padStart(11)}  ${percent(spindle, plain).padStart(5)}  ${each}`,
  );
}
