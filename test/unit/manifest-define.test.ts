import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AppDefinition, defineApp } from '../../src/app/define.ts';
import { manifestDir } from '../support/manifest-dir.ts';

const bytes = new Uint8Array([0, 97, 115, 109]);

function define(overrides: Partial<AppDefinition>): () => unknown {
  return () =>
    defineApp({
      name: 'embedded',
      components: { transform: { source: bytes } },
      triggers: [{ type: 'cloudevents', component: 'transform' }],
      ...overrides,
    });
}

describe('defineApp', () => {
  it('builds the same model as a manifest', async () => {
    const dir = await manifestDir({ 'transform.wasm': '', static: '' });
    const app = defineApp({
      name: 'demo',
      dir,
      variables: { suffix: { default: '.transformed' } },
      components: {
        transform: {
          source: 'transform.wasm',
          variables: { suffix: '{{ suffix }}' },
          environment: { MODE: 'embedded' },
          instances: 'reuse',
          files: ['static', { source: 'static', destination: '/data' }],
        },
        inline: { source: bytes },
      },
      triggers: [
        { type: 'cloudevents', route: '/', component: 'transform' },
        { type: 'kafka', component: 'inline', topic: 'in-{{ suffix }}' },
      ],
      triggerDefaults: { kafka: { brokers: ['localhost:9092'] }, timer: { module: 'spindle-timer' } },
    });
    expect(app).toEqual({
      name: 'demo',
      file: '<embedded>',
      dir,
      variables: { suffix: { default: '.transformed' } },
      components: {
        transform: {
          id: 'transform',
          source: join(dir, 'transform.wasm'),
          variables: { suffix: '{{ suffix }}' },
          environment: { MODE: 'embedded' },
          files: [
            { source: join(dir, 'static'), destination: '/static' },
            { source: join(dir, 'static'), destination: '/data' },
          ],
          allowedOutboundHosts: [],
          instances: 'reuse',
        },
        inline: {
          id: 'inline',
          source: bytes,
          variables: {},
          environment: {},
          files: [],
          allowedOutboundHosts: [],
        },
      },
      triggers: [
        { type: 'cloudevents', table: 'triggers[0]', raw: { route: '/', component: 'transform' } },
        { type: 'kafka', table: 'triggers[1]', raw: { component: 'inline', topic: 'in-{{ suffix }}' } },
      ],
      triggerDefaults: { kafka: { brokers: ['localhost:9092'] }, timer: {} },
      triggerModules: { timer: 'spindle-timer' },
    });
  });

  it('applies the manifest checks, naming <embedded>', () => {
    expect(define({ triggers: [{ type: 'cloudevents', component: 'x' }] })).toThrow(
      "<embedded>: [triggers[0]] component: no component 'x' is defined",
    );
    expect(define({ triggers: [{ type: '', component: 'transform' }] })).toThrow(
      '<embedded>: [triggers[0]] type: expected a trigger type, got the string ""',
    );
    expect(define({ components: { transform: { source: '/nonexistent/t.wasm' } } })).toThrow(
      '<embedded>: [components.transform] source: no such file: /nonexistent/t.wasm',
    );
    expect(define({ components: { transform: { source: bytes, variables: { s: '{{ nope }}' } } } })).toThrow(
      "<embedded>: [components.transform.variables] s: refers to variable 'nope', which is not declared in [variables]",
    );
    expect(define({ components: { transform: { source: bytes, allowedOutboundHosts: ['api.example.com'] } } })).toThrow(
      `<embedded>: [components.transform] allowedOutboundHosts[0]: "api.example.com" does not contain a scheme (e.g. 'http://' or '*://')`,
    );
    expect(define({ variables: { token: { default: 'a', required: true } } })).toThrow(
      '<embedded>: [variables] token: has both a default and required = true: give one or the other',
    );
    expect(define({ components: { Transform: { source: bytes } } })).toThrow(
      "<embedded>: [components.Transform]: 'Transform' is not a valid component id",
    );
    expect(
      define({
        components: { transform: { source: bytes, instances: 'pool' } } as unknown as AppDefinition['components'],
      }),
    ).toThrow('<embedded>: [components.transform] instances: expected "fresh" or "reuse", got "pool"');
    expect(
      define({
        components: {
          transform: { source: bytes, allowed_outbound_hosts: [] },
        } as unknown as AppDefinition['components'],
      }),
    ).toThrow(
      "<embedded>: [components.transform] allowed_outbound_hosts: unknown field 'allowed_outbound_hosts' (did you mean allowedOutboundHosts?) (expected source, description, variables, environment, allowedOutboundHosts, files, instances, threads, timeoutMs, memoryLimitMb, maxOutputKb, outboundTimeoutMs)",
    );
    expect(define({ components: { transform: { source: bytes, files: ['../etc'] } } })).toThrow(
      '<embedded>: [components.transform] files[0]: "../etc" is outside the app\'s directory (use { source, destination })',
    );
    expect(define({ components: { transform: { source: 42 } } as unknown as AppDefinition['components'] })).toThrow(
      '<embedded>: [components.transform] source: expected a .wasm path or a Uint8Array, got number 42',
    );
  });
});
