/**
 * A Redis server of the test's own that speaks only TLS and requires a password, for
 * what the machine's Redis (plain, no password) cannot show: `rediss://` and secrets
 * reaching the client. Started from the machine's `redis-server` on a free loopback
 * port, with a self-signed certificate for 127.0.0.1 made by `openssl`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait.ts';

export interface TlsRedis {
  port: number;
  password: string;
  /** PEM file of the server's self-signed certificate: the CA a client must trust. */
  caFile: string;
  /** A client of the test's own. */
  client(): Redis;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kernel's choice). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function startTlsRedis(password: string): Promise<TlsRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-tls-redis-'));
  const [caFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
    ...['-keyout', keyFile, '-out', caFile, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
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
    { what: `redis-server with TLS on 127.0.0.1:${port}` },
  );
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
