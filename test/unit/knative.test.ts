import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { builtinTriggerTypes } from '../../src/adapters.ts';
import { loadApp } from '../../src/app/load.ts';
import { manifestDir } from '../support/manifest-dir.ts';

// No cluster runs these: check what `kubectl apply` and the controllers rely on, and that
// each manifest is an app spindle loads.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'examples/knative');
const HEALTH = '/.well-known/spin/health';
const READY = '/.well-known/spindle/ready';
/** Where the image keeps the example component (Dockerfile). */
const IMAGE_COMPONENT = '/app/examples/transform/transform.wasm';

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: resources are checked field by field below
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Container {
  image: string;
  args?: string[];
  env?: { name: string }[];
  ports?: { containerPort: number }[];
  readinessProbe?: { httpGet: { path: string; port?: number } };
  livenessProbe?: { httpGet: { path: string; port?: number } };
  volumeMounts?: { name: string; mountPath: string }[];
}

function resources(file: string): Resource[] {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  for (const doc of docs) expect(doc.errors, file).toEqual([]);
  return docs.map((doc) => doc.toJS() as Resource);
}

function only(list: Resource[], kind: string): Resource {
  const found = list.filter((r) => r.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Resource;
}

function expectProbedOnHealthRoute(container: Container): void {
  expect(container.readinessProbe?.httpGet.path).toBe(READY);
  expect(container.livenessProbe?.httpGet.path).toBe(HEALTH);
}

describe('examples/knative: the example target as a Knative Service', () => {
  const services = resources('service.yaml');
  const spindle = services.find((r) => r.metadata.name === 'spindle-transform') as Resource;
  const container = spindle.spec.template.spec.containers[0] as Container;

  it('runs the image as is: PORT from Knative, the health route probed, not root', () => {
    expect(spindle).toMatchObject({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' });
    expect(container.image).toMatch(/^spindle:/);
    expect(container.args).toBeUndefined(); // the image's own command serves the example
    expect(container.ports).toEqual([{ containerPort: 8080 }]);
    expectProbedOnHealthRoute(container);
    expect(container.env).toContainEqual({ name: 'SPIN_VARIABLE_SUFFIX', value: '.knative' });
    expect(spindle.spec.template.spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    // runAsNonRoot needs a numeric user in the image to verify.
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^USER [1-9]\d*(:\d+)?$/m);
  });

  it('gets events of one type from the broker through a Trigger with a filter', () => {
    const trigger = only(resources('trigger.yaml'), 'Trigger');
    expect(trigger.apiVersion).toBe('eventing.knative.dev/v1');
    expect(trigger.spec.filter.attributes).toEqual({ type: 'io.triggermesh.demo' });
    expect(trigger.spec.subscriber.ref).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name: spindle.metadata.name,
    });
  });

  it('sends what it emits to the event display Service through a SinkBinding (K_SINK)', () => {
    const binding = only(resources('sinkbinding.yaml'), 'SinkBinding');
    expect(binding.apiVersion).toBe('sources.knative.dev/v1');
    expect(binding.spec.subject).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name: spindle.metadata.name,
    });
    const sink = binding.spec.sink.ref as { kind: string; name: string };
    expect(services.map((r) => `${r.kind}/${r.metadata.name}`)).toContain(`${sink.kind}/${sink.name}`);
  });
});

/** Each broker trigger type, and the KEDA scaler that reads the same group or queue. */
const SCALERS = [
  { file: 'keda/kafka.yaml', trigger: 'kafka', scaler: 'kafka' },
  { file: 'keda/rabbitmq.yaml', trigger: 'amqp', scaler: 'rabbitmq' },
  { file: 'keda/redis-streams.yaml', trigger: 'redis', scaler: 'redis-streams' },
] as const;

describe.each(SCALERS)('examples/knative/$file: spindle scaled by KEDA', ({ file, trigger, scaler }) => {
  const list = resources(file);
  const config = only(list, 'ConfigMap');
  const deployment = only(list, 'Deployment');
  const scaled = only(list, 'ScaledObject');
  const container = deployment.spec.template.spec.containers[0] as Container;

  it('runs spindle up on the manifest of its ConfigMap, probed on the health and ready routes', () => {
    expect(container.image).toMatch(/^spindle:/);
    expect(container.args?.slice(0, 3)).toEqual(['up', '-f', '/config/spindle.toml']);
    const mount = container.volumeMounts?.find((m) => m.mountPath === '/config');
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount?.name);
    expect(volume.configMap.name).toBe(config.metadata.name);
    expectProbedOnHealthRoute(container);
    // Time to finish and acknowledge what is in flight after SIGTERM.
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
  });

  it(`scales the Deployment on the ${scaler} scaler, reading the group or queue spindle consumes`, async () => {
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
    const [scaleTrigger] = scaled.spec.triggers as { type: string; metadata: Record<string, string> }[];
    expect(scaleTrigger?.type).toBe(scaler);

    const dir = await manifestDir({ 'spindle.toml': config.data?.['spindle.toml'] ?? '' });
    const app = await loadApp(join(dir, 'spindle.toml'), { checkSources: false });
    expect(app.triggers.map((t) => t.type)).toEqual([trigger]);
    expect(builtinTriggerTypes).toContain(trigger);
    expect(app.components.transform?.source).toBe(IMAGE_COMPONENT);
    const raw = app.triggers[0]?.raw as Record<string, unknown>;
    const meta = scaleTrigger?.metadata ?? {};
    if (scaler === 'kafka') {
      expect(raw.brokers).toContain(meta.bootstrapServers);
      expect([raw.topic, raw.group]).toEqual([meta.topic, meta.consumerGroup]);
    } else if (scaler === 'rabbitmq') {
      expect(raw.queue).toBe(meta.queueName);
      // The scaler reads the broker's address from the container's own environment.
      expect(container.env?.map((e) => e.name)).toContain(meta.hostFromEnv);
      expect(raw.url).toBe(`{{ ${meta.hostFromEnv?.replace(/^SPIN_VARIABLE_/, '').toLowerCase()} }}`);
    } else {
      expect(raw.address).toBe(`redis://${meta.address}`);
      expect([raw.stream, raw.group]).toEqual([meta.stream, meta.consumerGroup]);
    }
  });
});

it('the image carries the component the Kubernetes examples name', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/COPY --from=build .*examples\/transform\/transform\.wasm examples\/transform\//);
  expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
});
