import { describe, expect, it } from 'vitest';
import { parseRedisConfig } from '../../adapters/redis/config.ts';
import { openHandler } from '../../adapters/redis/handlers.ts';
import type { TriggerContext } from '../../src/adapter.ts';
import type { AppConfig } from '../../src/app/model.ts';
import { TriggerTable } from '../../src/app/table.ts';
import { silentLogger } from '../../src/log.ts';

/** A context whose only component is a Spin Redis one (raw payloads, no CloudEvents). */
const ctx = {
  app: { file: 'spin.toml' },
  logger: silentLogger(),
  component: (id: string) => ({ id, worlds: new Set(['spin-redis']) }),
} as unknown as TriggerContext;

const config = (raw: Record<string, unknown>) =>
  parseRedisConfig(
    new TriggerTable('spin.toml', 'trigger.redis[0]', {
      component: 'log-it',
      address: 'redis://127.0.0.1',
      channel: 'c',
      ...raw,
    }),
    {} as AppConfig,
  );

describe('filter and filters on a Spin Redis component', () => {
  it.each([
    ['filter', { filter: { exact: { type: 'a' } } }],
    ['filters', { filters: [{ exact: { type: 'a' } }] }],
  ])('refuses %s, which could never apply to raw payloads', async (field, raw) => {
    await expect(openHandler(ctx, config(raw))).rejects.toThrow(
      `spin.toml: [trigger.redis[0]] ${field}: component log-it is a Spin Redis component (fermyon:spin/inbound-redis): it gets raw payloads, not CloudEvents, so there is nothing to filter`,
    );
  });
});
