/**
 * Readiness of the trigger tables one Redis connection serves: not ready while ioredis
 * reconnects (with the last connection error), ready again once it is back.
 */
import type { Redis } from 'ioredis';
import type { TriggerStatus } from '../../src/adapter.ts';

/** The state of every table fed by one connection (a subscriber, a stream consumer). */
export interface TablesStatus {
  ready(state: string): void;
  notReady(state: string, error?: unknown): void;
}

export function tablesStatus(status: TriggerStatus, tables: readonly string[]): TablesStatus {
  return {
    ready: (state) => {
      for (const table of tables) status.ready(table, state);
    },
    notReady: (state, error) => {
      for (const table of tables) status.notReady(table, state, error);
    },
  };
}

/** Follow `client` once connected: `reconnecting` when it drops, `readyState` when ioredis is back. */
export function watchConnection(client: Redis, status: TablesStatus, readyState: string): void {
  let up = true;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
    if (!up) status.notReady('reconnecting', error);
  });
  client.on('close', () => {
    up = false;
    status.notReady('reconnecting', lastError ?? new Error('connection closed'));
  });
  client.on('ready', () => {
    up = true;
    lastError = undefined;
    status.ready(readyState);
  });
}
