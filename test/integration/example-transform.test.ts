import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentize } from '../../src/build/componentize.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import { loadComponent } from '../../src/runtime/load.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cache = join(root, 'node_modules', '.cache', 'spindle-fixtures');

describe('examples/transform (the TriggerMesh tutorial function)', () => {
  let component: Component;

  beforeAll(async () => {
    // As its manifest builds it. Up-to-date check: rebuilt only when transform.ts or the WIT changed.
    const { out } = await componentize({
      source: join(root, 'examples', 'transform', 'transform.ts'),
      out: join(cache, 'example-transform.wasm'),
      engine: 'quickjs',
      cacheDir: join(cache, 'wizer'),
    });
    component = await loadComponent(
      {
        id: 'transform',
        source: out,
        variables: { suffix: '{{ suffix }}' },
        environment: {},
        files: [],
        allowedOutboundHosts: [],
      },
      {
        cacheDir: mkdtempSync(join(tmpdir(), 'spindle-example-')),
        logger: silentLogger(),
        variables: (name) => (name === 'suffix' ? '.transformed' : undefined),
      },
    );
  }, 180_000);

  afterAll(() => component?.close());

  const input: CloudEvent = {
    id: '1234',
    source: 'curl',
    type: 'io.triggermesh.demo',
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: 'kept out',
    extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    data: new TextEncoder().encode('{"greeting":"hi"}'),
  };

  it('adds "hello": "wasm" and re-types the event with the suffix variable', async () => {
    const [out, ...rest] = await component.handle(input);
    expect(rest).toEqual([]);
    expect(out).toMatchObject({
      id: '1234',
      source: 'spin-app',
      type: 'io.triggermesh.demo.transformed',
      specversion: '1.0',
      datacontenttype: 'application/json',
    });
    expect(JSON.parse(new TextDecoder().decode(out?.data))).toEqual({ greeting: 'hi', hello: 'wasm' });
  });

  it('rejects data that is not JSON as invalid', async () => {
    const bad = { ...input, data: new TextEncoder().encode('not json') };
    await expect(component.handle(bad)).rejects.toMatchObject({ failure: 'invalid' });
  });
});
