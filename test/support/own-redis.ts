/**
 * A plain Redis server of the test's own (the machine's `redis-server` on a free loopback
 * port), for what the shared one must not undergo: being killed and started again on
 * the same port while a client is connected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from './tls.ts';
import { waitFor } from './wait.ts';

export interface OwnRedis {
  readonly url: string;
  /** SIGKILL the server: its clients see the connection drop and every reconnect refused. */
  kill(): Promise<void>;
  /** Start it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await waitForPong(
      () => new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 }),
      `redis-server on 127.0.0.1:${port}`,
    );
  };
  const kill = async () => {
    const running = server;
    server = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGKILL');
    await once(running, 'exit');
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start };
}

/** Wait until a server a client of `client()` (lazyConnect) reaches answers PING. */
export async function waitForPong(client: () => Redis, what: string): Promise<void> {
  await waitFor(
    async () => {
      const probe = client();
      probe.on('error', () => {}); // refused until the server listens: the wait retries
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    },
    { what },
  );
}
