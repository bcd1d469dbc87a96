/**
 * A stand-in for src/runtime/event-worker.ts speaking the same protocol: `{ id, cell,
 * op }` in, a reply naming the thread that served it out, each item stamped on the item
 * clock. `block` waits (synchronously, as a wasm guest runs) until the test releases it
 * through shared memory; `items:<ms>,<ms>,...` runs one item per entry for that long, and
 * an entry `loop` never ends. `abandon` asks the pool to stop this worker in the middle
 * of its item, and runs nothing more.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { claim } from '../../../src/runtime/worker-claim.ts';
import { endItem, type ItemClock, startItem } from '../../../src/runtime/worker-clock.ts';

const { cells, clock, failAtStart, shared } = workerData as {
  cells: Int32Array;
  clock: ItemClock;
  failAtStart?: boolean;
  shared?: SharedArrayBuffer;
};
if (failAtStart) throw new Error('cannot load the glue');
const port = parentPort as NonNullable<typeof parentPort>;
const gate = shared === undefined ? undefined : new Int32Array(shared);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function item(index: number, work: () => void): void {
  startItem(clock, index);
  work();
  endItem(clock);
}

let abandoned = false;

port.on('message', ({ id, cell, op }: { id: number; cell: number; op: string }) => {
  if (abandoned || (cell !== -1 && !claim(cells, cell, id))) return;
  if (op === 'abandon') {
    abandoned = true;
    startItem(clock, 0);
    port.postMessage({ kind: 'abandon', reason: 'its memory is spent' });
    return;
  }
  if (op.startsWith('items:')) {
    op.slice('items:'.length)
      .split(',')
      .forEach((entry, index) => {
        item(index, () => {
          if (entry === 'loop') for (;;) {}
          Atomics.wait(sleeper, 0, 0, Number(entry)); // synchronous, as a guest call is
        });
      });
  }
  item(0, () => {
    if (op === 'loop') for (;;) {}
    if (op === 'exit') process.exit(3);
    if (op === 'throw') throw new Error('host bug');
    if (op === 'block' && gate !== undefined) {
      Atomics.add(gate, 0, 1);
      Atomics.wait(gate, 1, 0);
    }
  });
  port.postMessage({ kind: 'reply', id, threadId });
});
port.postMessage({ kind: 'ready' });
