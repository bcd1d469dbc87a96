/**
 * Start librdkafka's mock Kafka cluster (mock-cluster.c) as a child process: compiled on
 * demand with `cc ... -lrdkafka` into node_modules/.cache/spindle-kafka-mock/ (one binary
 * per source hash), listening on random 127.0.0.1 ports.
 *
 * What works with kafkajs against it (librdkafka 2.0, verified): produce (keys, headers,
 * gzip), fetch, consumer groups (join/sync/heartbeat, rebalance across members),
 * committed offsets (auto and manual), fetchTopicOffsets, fetchOffsets, topic
 * auto-creation (4 partitions) on metadata, produce and subscribe. What does not:
 * createTopics/deleteTopics, idempotent and transactional producers ("Broker 0 not
 * found": the mock names no controller), describeGroups, listGroups, setOffsets.
 *
 * A test can take a broker down and bring it back on the same port (setBrokerDown/Up),
 * to see what clients do when a broker goes away; give such a test a cluster of its own.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SOURCE = fileURLToPath(new URL('./mock-cluster.c', import.meta.url));
const CACHE = fileURLToPath(new URL('../../../node_modules/.cache/spindle-kafka-mock/', import.meta.url));

export interface KafkaMock {
  /** Bootstrap servers, `127.0.0.1:port` each. */
  readonly brokers: string[];
  /**
   * Close broker `id`'s connections and refuse new ones until setBrokerUp (ids are
   * 1..brokerCount; -1: all). Partition leadership stays where it was.
   */
  setBrokerDown(id: number): Promise<void>;
  /** Let broker `id` accept connections again. */
  setBrokerUp(id: number): Promise<void>;
  /** Stop the cluster (closes its stdin; SIGKILL if it lingers). */
  close(): Promise<void>;
}

export interface KafkaMockOptions {
  /** Topics to create up front, `name:partitions` (the mock has no CreateTopics API). */
  topics?: readonly string[];
  /** Brokers in the cluster; 1 unless told. */
  brokerCount?: number;
  /** How long to wait for the cluster to print its address; 30 s unless told. */
  timeoutMs?: number;
}

/** The compiled mock, built when missing. Throws with the compiler's output on failure. */
export async function kafkaMockBinary(): Promise<string> {
  const source = await readFile(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const binary = join(CACHE, `mock-cluster-${hash}`);
  if (await exists(binary)) return binary;
  await mkdir(CACHE, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const cc = process.env.CC ?? 'cc';
  try {
    await promisify(execFile)(cc, ['-O2', '-o', partial, SOURCE, '-lrdkafka', '-lpthread']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`cannot build the Kafka mock (${cc} ${SOURCE} -lrdkafka; needs librdkafka-dev): ${stderr}`, {
      cause: error,
    });
  }
  await rename(partial, binary); // atomic: concurrent builders race harmlessly
  return binary;
}

export async function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const binary = await kafkaMockBinary();
  const args = [`brokers=${options.brokerCount ?? 1}`, ...(options.topics ?? [])];
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // biome-ignore lint/style/noNonNullAssertion: spawned with stdio pipes
  const lines = createInterface({ input: child.stdout! });
  const line = await firstLine(child, lines, options.timeoutMs ?? 30_000, () => stderr);
  const command = commander(child, lines, () => stderr);
  return {
    brokers: line.split(','),
    setBrokerDown: (id) => command(`down ${id}`),
    setBrokerUp: (id) => command(`up ${id}`),
    close: () => stop(child),
  };
}

/** Sends a command line; resolves on its "ok", rejects on "error ..." or an exit. One answer per command, in order. */
function commander(child: ChildProcess, lines: Interface, stderr: () => string): (line: string) => Promise<void> {
  const waiting: { line: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  child.stdin?.on('error', () => {}); // EPIPE once it exited: the exit handler below answers
  lines.on('line', (answer) => {
    const pending = waiting.shift();
    if (pending === undefined) return;
    if (answer.trim() === 'ok') pending.resolve();
    else pending.reject(new Error(`Kafka mock: '${pending.line}' failed: ${answer}`));
  });
  child.once('exit', (code, signal) => {
    for (const pending of waiting.splice(0)) {
      pending.reject(new Error(`Kafka mock exited (${signal ?? code}) before '${pending.line}': ${stderr()}`));
    }
  });
  return (line) =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`Kafka mock has exited; cannot '${line}'`));
        return;
      }
      waiting.push({ line, resolve, reject });
      child.stdin?.write(`${line}\n`);
    });
}

function firstLine(child: ChildProcess, lines: Interface, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`Kafka mock ${why}: ${stderr()}`));
    };
    const timer = setTimeout(() => fail(`printed no address within ${timeoutMs} ms`), timeoutMs);
    child.on('error', (error) => fail(`failed (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited early (${signal ?? code})`));
    lines.once('line', (line) => {
      clearTimeout(timer);
      settled = true;
      resolve(line.trim());
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
