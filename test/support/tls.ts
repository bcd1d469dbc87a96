/**
 * TLS for tests on machines whose brokers are plain: a self-signed certificate for
 * 127.0.0.1 (from `openssl`), a free loopback port, and a TLS front that terminates TLS
 * and forwards the bytes to a plain broker (AMQP stays on one connection, so a client
 * of the front speaks real amqps:// to the real RabbitMQ behind it).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface Certificate {
  /** PEM of the self-signed certificate: also the CA a client must trust. */
  certFile: string;
  keyFile: string;
}

export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-tls-'));
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
    ...['-keyout', keyFile, '-out', certFile, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  return { certFile, keyFile };
}

/** A loopback port nothing listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface TlsFront {
  port: number;
  certificate: Certificate;
  close(): Promise<void>;
}

/** Listen with TLS on a free loopback port and pipe every connection to `target`. */
export async function startTlsFront(target: { host: string; port: number }): Promise<TlsFront> {
  const certificate = selfSignedCertificate();
  const server = createTlsServer(
    { cert: readFileSync(certificate.certFile), key: readFileSync(certificate.keyFile) },
    (client) => {
      const upstream = connect(target.port, target.host);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    certificate,
    async close() {
      server.close();
      await once(server, 'close');
    },
  };
}
