/**
 * bench/brokers: events per second through spindle (consume, invoke the example
 * component with a reused instance, emit to the same broker, acknowledge) side by side,
 * in the same run, with a plain client program doing the same transform in JavaScript.
 * Usage: node bench/brokers/run.ts [--events 5000] [--only kafka|redis|amqp]
 */
import { parseArgs } from 'node:util';
import { benchAmqp } from './amqp.ts';
import { benchKafka } from './kafka.ts';
import { benchRedis } from './redis.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '5000' }, only: { type: 'string' } },
});
const events = Number(values.events);
const benches = { kafka: benchKafka, redis: benchRedis, amqp: benchAmqp };

console.log(`${events} events per run\n`);
console.log(`${'broker'.padEnd(14)} ${'spindle ev/s'.padStart(13)} ${'plain ev/s'.padStart(11)}  ratio`);
for (const [name, bench] of Object.entries(benches)) {
  if (values.only && values.only !== name) continue;
  const { broker, spindle, plain } = await bench({ events });
  const ratio = `${((100 * spindle.eventsPerSecond) / plain.eventsPerSecond).toFixed(0)}%`;
  console.log(
    `${broker.padEnd(14)} ${String(spindle.eventsPerSecond).padStart(13)} ${String(plain.eventsPerSecond).padStart(11)}  ${ratio}`,
  );
}
