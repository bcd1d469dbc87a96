/**
 * `RunningApp.invoke` takes an event as a host program builds one: `extensions` may be
 * left out, and a record the host got wrong is the host's error naming the field, never
 * reported as the guest's trap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentError, defineApp, InvalidEventError, type RunningApp, startApp } from '../../src/index.ts';
import { buildFixture } from '../support/fixtures.ts';

describe('invoke checks the event on the host side', () => {
  let running: RunningApp;

  beforeAll(async () => {
    const wasm = await buildFixture('contract', { guard: true });
    running = await startApp(
      defineApp({
        name: 'invoke-input',
        variables: { suffix: { default: '.loud' } },
        components: { contract: { source: wasm, variables: { suffix: '{{ suffix }}' } } },
        triggers: [],
      }),
      { listen: { host: '127.0.0.1', port: 0 } },
    );
  }, 180_000);
  afterAll(() => running?.stop());

  const event = { id: 'i1', source: '/host', type: 'contract.shout', specversion: '1.0' };

  it('runs an event without extensions as one with none', async () => {
    const out = await running.invoke('contract', { ...event, data: new TextEncoder().encode('hi') });
    expect(out).toEqual([
      {
        ...event,
        type: 'contract.shout.loud',
        datacontenttype: 'text/plain',
        extensions: { shouted: 'yes' },
        data: new TextEncoder().encode('HI'),
      },
    ]);
  });

  it('refuses data that is not bytes with an InvalidEventError naming the field, not a guest trap', async () => {
    const error = await running
      .invoke('contract', { ...event, data: 'hi' as unknown as Uint8Array })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).not.toBeInstanceOf(ComponentError);
    expect((error as Error).message).toBe("event i1: 'data' must be a Uint8Array (bytes) or absent, got a string");
  });

  it('refuses extensions given as pairs, naming the field', async () => {
    const pairs = [['seq', '1']] as unknown as Record<string, string>;
    await expect(running.invoke('contract', { ...event, extensions: pairs })).rejects.toThrow(
      "event i1: 'extensions' must be an object of name -> string value (or absent), got an array",
    );
  });
});
