/**
 * spindle's image under podman (Debian's, with runc: ../../scripts/podman-setup.sh): is
 * podman here, build the image once per test run, run podman commands, and serve
 * podman's Docker-compatible API for testcontainers. Nothing here addresses a container
 * at its own address: tests reach it on 127.0.0.1 (host networking, or slirp4netns port
 * forwarding, which listens on the machine itself).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withBuildLock } from './build-lock.ts';
import { waitFor } from './wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SETUP = 'run scripts/podman-setup.sh (.ci/run does)';

/** The image the tests build from the Dockerfile. */
export const SPINDLE_IMAGE = 'localhost/spindle:test';
/** Building cold pulls the npm dependencies twice and compiles the example: minutes. */
export const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
/** One test of a container: start (seconds, more on a loaded machine), work, stop. */
export const CONTAINER_TEST_TIMEOUT_MS = 5 * 60_000;

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `podman args...`; resolves with the exit code and output, whatever the code. */
export async function podman(args: string[], timeoutMs = 120_000): Promise<PodmanResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)('podman', args, {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (typeof failed.code !== 'number') throw new Error(`podman ${args.join(' ')}: ${failed.message}`);
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `podman args...` that must succeed: its stdout, trimmed. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await podman(args, timeoutMs);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Why the image tests cannot run here, or undefined: podman with runc and the base image. */
export async function podmanMissing(): Promise<string | undefined> {
  let runtime: string;
  try {
    runtime = await podmanOk(['info', '--format', '{{.Host.OCIRuntime.Name}}'], 30_000);
  } catch (error) {
    return `podman does not run (${String(error).split('\n')[0]}): ${SETUP}`;
  }
  if (runtime !== 'runc') return `podman uses ${runtime}, which fails here: ${SETUP}`;
  const base = baseImage();
  if ((await podman(['image', 'exists', base])).code !== 0) return `no base image ${base}: ${SETUP}`;
  return undefined;
}

/** The Dockerfile's default base image, by its full name (as scripts/base-image.sh tags it). */
function baseImage(): string {
  const image = /^ARG BASE_IMAGE=(\S+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  if (image === undefined) throw new Error('Dockerfile: no ARG BASE_IMAGE=...');
  return image.includes('/') ? image : `docker.io/library/${image}`;
}

let built: Promise<void> | undefined;

/**
 * Build SPINDLE_IMAGE from the Dockerfile, once per test run (a lock keeps two workers
 * from building at once; the second finds the layers cached). `--format docker` keeps
 * HEALTHCHECK; host networking lets `npm ci` reach the registry.
 */
export function buildSpindleImage(): Promise<void> {
  built ??= withBuildLock(
    join(tmpdir(), 'spindle-image-build'),
    async () => {
      const result = await podman(
        ['build', '--format', 'docker', '--network', 'host', '--tag', SPINDLE_IMAGE, ROOT],
        IMAGE_BUILD_TIMEOUT_MS,
      );
      if (result.code !== 0) {
        throw new Error(`podman build failed (${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`);
      }
    },
    { waitMs: IMAGE_BUILD_TIMEOUT_MS, staleMs: IMAGE_BUILD_TIMEOUT_MS },
  );
  return built;
}

/** podman's Docker API socket for testcontainers: DOCKER_HOST, or one started here. */
export async function podmanDockerHost(): Promise<{ dockerHost: string; stop(): Promise<void> }> {
  if (process.env.DOCKER_HOST) return { dockerHost: process.env.DOCKER_HOST, stop: async () => {} };
  const socket = join(tmpdir(), `spindle-podman-${process.pid}.sock`);
  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    stdio: 'ignore',
  });
  await waitFor(() => existsSync(socket), { what: `podman's API socket ${socket}`, timeoutMs: 30_000 });
  return {
    dockerHost: `unix://${socket}`,
    stop: async () => {
      service.kill('SIGTERM');
    },
  };
}
