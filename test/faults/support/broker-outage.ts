/**
 * Brokers going away under a running spindle: a Redis server of the test's own restarted
 * in place (its data on disk, so that the restart is the only fault), and RabbitMQ
 * closing spindle's connections (the machine's RabbitMQ serves other tests: only the
 * connections of the case's queue are closed, with the reason a restart gives).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { SpindleProcess } from '../../support/spindle-process.ts';
import { freePort } from '../../support/tls.ts';
import { waitFor } from '../../support/wait.ts';

export interface OwnRedis {
  url: string;
  /** Stop the server (SIGTERM: it writes its data out) and start it again on the same port and data. */
  restart(between?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** `redis-server` on a free loopback port, append-only file in a temporary folder, every write synced. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spindle-faults-redis-'));
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
  ];
  let server: ChildProcess;
  const start = async () => {
    server = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(
      async () => {
        const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
        probe.on('error', () => {}); // refused until it listens: the wait retries
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          probe.disconnect();
        }
      },
      { what: `redis-server on 127.0.0.1:${port}` },
    );
  };
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGTERM');
    await once(server, 'exit');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(between) {
      await stop();
      await between?.();
      await start();
    },
    stop,
  };
}

const run = promisify(execFile);

/** Close the RabbitMQ connections whose client-provided name holds `name` (spindle names its trigger's by queue). */
export async function closeAmqpConnections(name: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', [
    ...['--quiet', '--no-table-headers', 'list_connections', 'pid', 'client_properties'],
  ]);
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(name))
    .map((line) => line.split('\t')[0] ?? '');
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'fault test: broker restart']);
  return pids.length;
}

/** Wait until spindle logs a warning or an error after output position `mark`: it noticed the fault. */
export function noticed(spindle: SpindleProcess, mark: number, what: string): Promise<void> {
  return waitFor(() => /"level":"(warn|error|fatal)"/.test(spindle.output().slice(mark)), {
    what: `spindle to log a warning or an error about ${what}`,
    timeoutMs: 30_000,
  });
}
