/**
 * ioredis connections for the Redis trigger and sink. `redis://[:password@]host:port[/db]`,
 * or `rediss://` for TLS (ioredis reads both, password and database included); the query
 * string is spindle's (sink options) and is not passed on.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { backoffDelay, redactUrl as redact, SpindleError } from '../../src/adapter.ts';

export interface ConnectOptions {
  logger: Logger;
  /** Shown in `CLIENT LIST`, e.g. `spindle:orders`. */
  name: string;
  /**
   * Commands wait for a reconnect instead of failing (a consumer loop); otherwise a
   * command fails after a few reconnect attempts so that delivery can retry it (a sink).
   */
  patient?: boolean;
}

/** Reconnect with backoff: 50 ms, doubling, capped at 2 s, forever. */
const retryStrategy = (times: number) => backoffDelay({ backoffMs: 50, maxDelayMs: 2_000 }, times);

/** Connect to `address` (connected when this resolves) and log connection loss and return. */
export async function connectRedis(address: string | URL, options: ConnectOptions): Promise<Redis> {
  const url = serverUrl(address);
  const shown = redactUrl(url);
  const redisOptions: RedisOptions = {
    lazyConnect: true,
    connectionName: options.name.replace(/\s/g, '_'),
    maxRetriesPerRequest: options.patient ? null : 2,
    retryStrategy,
  };
  const client = new Redis(url.href, redisOptions);
  let lastError: Error | undefined;
  let up = false;
  client.on('error', (error: Error) => {
    lastError = error;
    if (up) options.logger.warn({ redis: shown, err: error.message }, 'redis connection error');
  });
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    const reason = lastError?.message ?? (cause as Error).message;
    throw new SpindleError(`cannot connect to ${shown}: ${reason}`, { cause: lastError ?? cause, retriable: true });
  }
  up = true;
  client.on('reconnecting', (delay: number) =>
    options.logger.warn({ redis: shown, delayMs: delay }, 'redis connection lost, reconnecting'),
  );
  client.on('ready', () => options.logger.info({ redis: shown }, 'redis connection ready'));
  return client;
}

/**
 * Close `client`: QUIT when connected, so that replies in flight arrive first; else at
 * once, since a QUIT queued for a reconnect would wait as long as Redis stays away.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

/** The server part of a redis(s):// URI: scheme, credentials, host, port, database. */
export function serverUrl(address: string | URL): URL {
  const url = new URL(address);
  url.search = '';
  url.hash = '';
  return url;
}

/** The URI without its password, for logs, errors and the banner (`redis://host:6379`, no slash). */
export function redactUrl(address: string | URL): string {
  return redact(new URL(address)).replace(/\/$/, '');
}

/** A redis(s):// URI, or why not. */
export function checkAddress(value: string): string | undefined {
  if (!URL.canParse(value)) return `expected a URI such as redis://127.0.0.1:6379, got ${JSON.stringify(value)}`;
  const url = new URL(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `expected a redis:// or rediss:// URI, got ${JSON.stringify(redactUrl(url))}`;
  }
  if (url.hostname === '') return `has no host: ${JSON.stringify(redactUrl(url))}`;
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return `the path must be a database number, got /${db}`;
  return undefined;
}
