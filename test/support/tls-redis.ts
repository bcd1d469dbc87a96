/**
 * A Redis server of the test's own that speaks only TLS and requires a password, for
 * what the machine's Redis (plain, no password) cannot show: `rediss://` and secrets
 * reaching the client. Started from the machine's `redis-server` on a free loopback
 * port, with a self-signed certificate for 127.0.0.1 (tls.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import { waitForPong } from './own-redis.ts';
import { freePort, selfSignedCertificate } from './tls.ts';

export interface TlsRedis {
  port: number;
  password: string;
  /** PEM file of the server's self-signed certificate: the CA a client must trust. */
  caFile: string;
  /** A client of the test's own. */
  client(): Redis;
  stop(): Promise<void>;
}

export async function startTlsRedis(password: string): Promise<TlsRedis> {
  const { certFile: caFile, keyFile } = selfSignedCertificate();
  const dir = dirname(caFile);
  const port = await freePort();
  const server: ChildProcess = spawn(
    'redis-server',
    [
      ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
      ...['--tls-cert-file', caFile, '--tls-key-file', keyFile, '--tls-auth-clients', 'no'],
      ...['--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir],
    ],
    { stdio: 'ignore' },
  );
  const client = () =>
    new Redis({
      port,
      host: '127.0.0.1',
      password,
      tls: { ca: readFileSync(caFile) },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
  await waitForPong(client, `redis-server with TLS on 127.0.0.1:${port}`);
  return {
    port,
    password,
    caFile,
    client,
    async stop() {
      if (server.exitCode !== null) return;
      server.kill('SIGTERM');
      await once(server, 'exit');
    },
  };
}
