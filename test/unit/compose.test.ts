import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinTriggerTypes } from '../../src/adapters.ts';
import { loadApp } from '../../src/app/load.ts';

// Docker does not run on the machines that run these tests: check what `docker compose
// up` relies on instead.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
interface Service {
  image?: string;
  build?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

describe('compose.yaml', () => {
  it('has the brokers, the event display and spindle', () => {
    expect(Object.keys(services).sort()).toEqual(['event-display', 'kafka', 'rabbitmq', 'redis', 'spindle']);
  });

  it.each(['redis', 'kafka', 'rabbitmq'])('%s has a health check spindle waits for', (broker) => {
    expect(services[broker]?.healthcheck?.test?.length).toBeGreaterThan(0);
    expect(services[broker]?.healthcheck?.disable).toBeUndefined();
    expect(services.spindle?.depends_on?.[broker]).toEqual({ condition: 'service_healthy' });
  });

  it('runs Kafka as one KRaft node', () => {
    const kafka = services.kafka as Service & { environment: Record<string, string> };
    expect(kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it("builds spindle from the Dockerfile, keeps the image's health check, and mounts files that exist", () => {
    const spindle = services.spindle as Service;
    expect(spindle.build).toBe('.');
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^HEALTHCHECK[\s\S]*\/\.well-known\/spin\/health/m);
    expect(spindle.healthcheck).toBeUndefined();
    for (const volume of spindle.volumes ?? []) {
      const [host] = volume.split(':');
      expect(existsSync(resolve(ROOT, host ?? '')), `${host} is mounted`).toBe(true);
    }
  });

  it('serves an app whose triggers are built in and whose brokers are compose services', async () => {
    const app = await loadApp(join(ROOT, 'examples/compose/spindle.toml'), { checkSources: false });
    expect(app.triggers.map((t) => t.type).sort()).toEqual(['amqp', 'cloudevents', 'kafka', 'redis']);
    for (const trigger of app.triggers) expect(builtinTriggerTypes).toContain(trigger.type);
    const text = readFileSync(join(ROOT, 'examples/compose/spindle.toml'), 'utf8');
    for (const [, host] of text.matchAll(/:\/\/(?:[^@/"]+@)?([a-z-]+):\d+/g))
      expect(Object.keys(services)).toContain(host);
    // The component is what the image builds: examples/transform's build output.
    const source = app.components.transform?.source;
    expect(source).toBe(join(ROOT, 'examples/transform/transform.wasm'));
    const example = await loadApp(join(ROOT, 'examples/transform'), { checkSources: false });
    expect(example.components.transform?.build?.commands.join(' ')).toContain('-o transform.wasm');
    expect(existsSync(join(ROOT, 'examples/transform/transform.ts'))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  it('runs spindle as a non-root user with a health check on the health route', () => {
    expect(dockerfile).toMatch(/^USER (?!root)\S+$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK[\s\S]*\/\.well-known\/spin\/health/m);
  });
  it('builds the example component into the image and serves it by default; compose serves its flow', () => {
    expect(dockerfile).toContain('spindle.js build -f examples/transform');
    expect(dockerfile).toMatch(/^CMD \["up", "-f", "examples\/transform"/m);
    expect((services.spindle as Service & { command: string[] }).command.slice(0, 3)).toEqual([
      'up',
      '-f',
      'examples/compose',
    ]);
  });
});
