/**
 * spindle in integration tests, as a testcontainers module (shaped like
 * @testcontainers/redis): the image serving an app of the test's, reached on its mapped
 * port.
 *
 *   const spindle = await new SpindleContainer('spindle:latest')
 *     .withComponent('transform.wasm')
 *     .withVariable('suffix', '.test')
 *     .start();
 *   const reply = await spindle.sendEvent({ type: 'order', data: { n: 1 } });
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { AbstractStartedContainer, GenericContainer, Wait } from 'testcontainers';
import { type CloudEventInput, postCloudEvent, type SpindleReply } from './cloudevent-http.ts';

/** The port spindle serves on in its image (`PORT`). */
export const SPINDLE_PORT = 8080;
/** The liveness route (the image's HEALTHCHECK). */
export const HEALTH_ROUTE = '/.well-known/spin/health';
/** The readiness route the wait strategy probes: every trigger connected, so a test may publish. */
export const READY_ROUTE = '/.well-known/spindle/ready';
/** The image `docker build -t spindle .` makes from spindle's Dockerfile. */
export const DEFAULT_SPINDLE_IMAGE = 'spindle:latest';
/** Where the test's app is copied in the container (the image serves /app/examples/transform otherwise). */
const APP_DIR = '/app/under-test';

/** A file of the host copied into the app directory. */
interface AppFile {
  source: string;
  target: string;
}

export class SpindleContainer extends GenericContainer {
  private readonly appFiles: AppFile[] = [];
  private manifest: string | undefined;
  private component: string | undefined;
  private readonly variables = new Map<string, string>();
  private app: Promise<void> | undefined;

  constructor(image: string = DEFAULT_SPINDLE_IMAGE) {
    super(image);
    this.withExposedPorts(SPINDLE_PORT)
      .withWaitStrategy(Wait.forHttp(READY_ROUTE, SPINDLE_PORT).forStatusCode(200))
      .withStartupTimeout(120_000);
  }

  /**
   * Serve the app in `dirOrManifest` (a directory with spindle.toml or spin.toml, or the
   * manifest itself): its directory is copied into the container, readable by the
   * image's non-root user, and its component sources with it.
   */
  withApp(dirOrManifest: string): this {
    const path = resolve(dirOrManifest);
    this.app = (async () => {
      const isDir = (await stat(path)).isDirectory();
      const dir = isDir ? path : dirname(path);
      for (const file of await filesUnder(dir)) {
        this.appFiles.push({ source: file, target: posix.join(APP_DIR, ...relative(dir, file).split(/[\\/]/)) });
      }
      this.manifest = isDir ? APP_DIR : posix.join(APP_DIR, basename(path));
    })();
    return this;
  }

  /**
   * A component (.wasm) for the app. With `withApp`, it is copied next to the manifest
   * under its own name (for an app whose component is built elsewhere); alone, spindle
   * serves it as a CloudEvents target on `/`, with the variables of `withVariable`.
   */
  withComponent(path: string): this {
    this.component = resolve(path);
    return this;
  }

  /** An application variable (`SPIN_VARIABLE_<NAME>`), as `--variable name=value` sets it. */
  withVariable(name: string, value: string): this {
    this.variables.set(name, value);
    return this.withEnvironment({ [`SPIN_VARIABLE_${name.toUpperCase()}`]: value });
  }

  /** The sink of triggers that name none (`K_SINK`, as Knative's SinkBinding sets it). */
  withSink(uri: string): this {
    return this.withEnvironment({ K_SINK: uri });
  }

  override async start(): Promise<StartedSpindleContainer> {
    await this.app;
    if (this.component !== undefined) {
      this.appFiles.push({ source: this.component, target: posix.join(APP_DIR, basename(this.component)) });
      if (this.manifest === undefined) {
        this.withCopyContentToContainer([
          {
            content: componentManifest(basename(this.component), [...this.variables.keys()]),
            target: `${APP_DIR}/spindle.toml`,
            mode: 0o644,
          },
        ]);
        this.manifest = APP_DIR;
      }
    }
    // Readable by any user: the image runs spindle as `node`, not as the files' owner.
    this.withCopyFilesToContainer(this.appFiles.map((file) => ({ ...file, mode: 0o644 })));
    if (this.manifest !== undefined) this.withCommand(['up', '-f', this.manifest, '--log-format', 'json']);
    return new StartedSpindleContainer(await super.start());
  }
}

export class StartedSpindleContainer extends AbstractStartedContainer {
  /** `http://<host>:<mapped port><path>`: where the test reaches spindle. */
  getUrl(path = '/'): string {
    return new URL(path, `http://${this.getHost()}:${this.getMappedPort(SPINDLE_PORT)}`).href;
  }

  getHealthUrl(): string {
    return this.getUrl(HEALTH_ROUTE);
  }

  /** POST `event` (structured mode) to `path` and return spindle's reply. */
  sendEvent(event: CloudEventInput, path = '/'): Promise<SpindleReply> {
    return postCloudEvent(this.getUrl(path), event);
  }
}

/** A manifest serving one component as a CloudEvents target, its variables from the environment. */
function componentManifest(source: string, variables: string[]): string {
  const lines = ['[application]', 'name = "spindle-testing"', '[variables]'];
  for (const name of variables) lines.push(`${name} = { required = true }`);
  lines.push('[[trigger.cloudevents]]', 'route = "/"', 'component = "component"');
  lines.push('[component.component]', `source = ${JSON.stringify(source)}`, '[component.component.variables]');
  for (const name of variables) lines.push(`${name} = "{{ ${name} }}"`);
  return `${lines.join('\n')}\n`;
}

/** Every file under `dir`, but spindle's own cache (`.spindle`). */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '.spindle') files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
