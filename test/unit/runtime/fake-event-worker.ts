/**
 * A stand-in for src/runtime/event-worker.ts speaking the same protocol: `{ id, cell,
 * op }` in, a reply naming the thread that served it out. `block` waits (synchronously,
 * as a wasm guest runs) until the test releases it through shared memory.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { claim } from '../../../src/runtime/worker-claim.ts';

const { cells, failAtStart, shared } = workerData as {
  cells: Int32Array;
  failAtStart?: boolean;
  shared?: SharedArrayBuffer;
};
if (failAtStart) throw new Error('cannot load the glue');
const port = parentPort as NonNullable<typeof parentPort>;
const gate = shared === undefined ? undefined : new Int32Array(shared);

port.on('message', ({ id, cell, op }: { id: number; cell: number; op: string }) => {
  if (cell !== -1 && !claim(cells, cell, id)) return;
  if (op === 'loop') for (;;) {}
  if (op === 'exit') process.exit(3);
  if (op === 'throw') throw new Error('host bug');
  if (op === 'block' && gate !== undefined) {
    Atomics.add(gate, 0, 1);
    Atomics.wait(gate, 1, 0);
  }
  port.postMessage({ kind: 'reply', id, threadId });
});
port.postMessage({ kind: 'ready' });
