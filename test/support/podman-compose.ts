/**
 * compose files run with Debian's podman-compose (1.0.3), as users run them with
 * `docker compose`. Two of its gaps are bridged here, each said where it is:
 * `build` gets podman's `--network host` (so that the Dockerfile's `npm ci` reaches the
 * registry) and `--format docker` (so that the image keeps its HEALTHCHECK); and a
 * service with `network_mode: host` is run without the project network that 1.0.3 adds
 * to every container, which podman refuses ("cannot set multiple networks without
 * bridge network mode"; podman-compose 1.1 no longer adds it).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { podman } from './podman.ts';

/** podman with the project network dropped from `run` when `--network host` is given. */
const PODMAN_HOST_NETWORK = `#!/bin/bash
host=0; prev=
for arg in "$@"; do [ "$prev" = --network ] && [ "$arg" = host ] && host=1; prev=$arg; done
[ $host = 1 ] || exec podman "$@"
args=(); skip=0
for arg in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case $arg in --net|--network-alias) skip=1; continue ;; esac
  args+=("$arg")
done
exec podman "\${args[@]}"
`;

/** Why podman-compose cannot run here, or undefined. */
export async function podmanComposeMissing(): Promise<string | undefined> {
  try {
    await promisify(execFile)('podman-compose', ['version'], { timeout: 30_000 });
    return undefined;
  } catch (error) {
    return `podman-compose does not run (${String(error).split('\n')[0]}): run scripts/podman-setup.sh (.ci/run does)`;
  }
}

export interface ComposeProject {
  /** `podman-compose up -d --build`: builds what has a `build`, starts every service. */
  up(): Promise<void>;
  logs(service: string): Promise<string>;
  /** Stops and removes the containers, the project network and the built images. */
  down(): Promise<void>;
}

/** A project of the compose `file` (an object, as parsed), named `name`. */
export async function composeProject(name: string, file: object): Promise<ComposeProject> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-compose-'));
  const composeFile = join(dir, 'compose.yaml');
  const wrapper = join(dir, 'podman');
  await writeFile(composeFile, stringify(file));
  await writeFile(wrapper, PODMAN_HOST_NETWORK);
  await chmod(wrapper, 0o755);
  const compose = async (args: string[], timeoutMs: number) => {
    const global = ['--podman-path', wrapper, '--podman-build-args=--network host --format docker'];
    try {
      return await promisify(execFile)('podman-compose', [...global, '-p', name, '-f', composeFile, ...args], {
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`podman-compose ${args.join(' ')}: ${failed.message}\n${(failed.stderr ?? '').slice(-4000)}`);
    }
  };
  return {
    up: async () => {
      await compose(['up', '-d', '--build'], 15 * 60_000);
    },
    logs: async (service) => {
      const result = await podman(['logs', `${name}_${service}_1`]);
      return result.stdout + result.stderr;
    },
    down: async () => {
      await compose(['down', '-t', '10'], 120_000).catch(() => undefined);
      await podman(['network', 'rm', '--force', `${name}_default`]);
      await podman(['rmi', '--force', `${name}_spindle`]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
