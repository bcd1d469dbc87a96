/**
 * How far a consumer group is behind on a stream, from `XINFO GROUPS` (Redis >= 7): the
 * entries not yet delivered to the group (`lag`) and those delivered but not acknowledged
 * (`pending`), which is the work KEDA's Redis Streams scaler counts too.
 */
import type { Redis } from 'ioredis';

/** Undelivered plus pending entries of `group`; undefined when Redis cannot tell (no `lag`, e.g. Redis 6 or after XDEL). */
export async function streamLag(commands: Redis, stream: string, group: string): Promise<number | undefined> {
  const groups = (await commands.call('XINFO', ['GROUPS', stream])) as unknown[];
  for (const raw of groups) {
    const fields = fieldsOf(raw);
    if (fields.get('name') !== group) continue;
    const lag = fields.get('lag');
    const pending = fields.get('pending');
    if (typeof lag !== 'number' || typeof pending !== 'number') return undefined;
    return lag + pending;
  }
  return undefined;
}

/** A RESP2 flat `[name, value, ...]` reply as a map. */
function fieldsOf(reply: unknown): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  if (!Array.isArray(reply)) return fields;
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  return fields;
}
