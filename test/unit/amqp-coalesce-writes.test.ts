import { Duplex } from 'node:stream';
import type { ChannelModel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../adapters/amqp/coalesce-writes.ts';

/** A socket stand-in that records each write that would be a syscall (one per `_write`/`_writev`). */
function socket() {
  const syscalls: string[][] = [];
  const stream = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      syscalls.push([String(chunk)]);
      done();
    },
    writev(chunks, done) {
      syscalls.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream, syscalls, model: { connection: { stream } } as unknown as ChannelModel };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('amqp socket write coalescing', () => {
  it('sends the frames written in one turn of the event loop in one write, in order', async () => {
    const { stream, syscalls, model } = socket();
    coalesceWrites(model);
    stream.write('ack 1');
    stream.write('ack 2');
    stream.write('publish 3');
    await nextTurn();
    stream.write('ack 4');
    await nextTurn();
    expect(syscalls).toEqual([['ack 1', 'ack 2', 'publish 3'], ['ack 4']]);
  });

  it('without it, each frame is a write of its own', async () => {
    const { stream, syscalls } = socket();
    stream.write('ack 1');
    stream.write('ack 2');
    await nextTurn();
    expect(syscalls.length).toBeGreaterThan(1);
  });
});
