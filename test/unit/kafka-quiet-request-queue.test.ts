import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const connection = fileURLToPath(new URL('../../adapters/kafka/connection.ts', import.meta.url));

// A fresh process, so that Node prints its warnings as a user would see them.
const SCRIPT = `
import { createRequire } from 'node:module';
if (process.env.LOAD_ADAPTER) await import(${JSON.stringify(connection)});
const RequestQueue = createRequire(${JSON.stringify(connection)})('kafkajs/src/network/requestQueue/index.js');
const queue = Object.assign(Object.create(RequestQueue.prototype), { throttledUntil: -1, pending: [], throttleCheckTimeoutId: null });
queue.checkPendingRequests = () => console.log('checked');
queue.scheduleCheckPendingRequests();
`;

async function run(loadAdapter: boolean): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, ...(loadAdapter ? { LOAD_ADAPTER: '1' } : {}) };
  return promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], { env });
}

describe("kafkajs's request queue under spindle's kafka adapter", () => {
  it('checks its pending requests without a TimeoutNegativeWarning', async () => {
    const { stdout, stderr } = await run(true);
    expect(stdout).toBe('checked\n');
    expect(stderr).toBe('');
  });

  it.runIf(Number(process.versions.node.split('.')[0]) >= 24)('warned on Node 24 without it', async () => {
    expect((await run(false)).stderr).toContain('TimeoutNegativeWarning');
  });
});
