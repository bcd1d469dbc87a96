/**
 * Replies of the stream commands, as ioredis gives them over RESP2
 * (`[[stream, entries]]`) or over RESP3 with ioredis's legacy mapping (`[stream, entries]`).
 */

/** One entry; `fields` (names and values, as bytes) is null for an entry deleted while it was pending. */
export interface StreamEntry {
  id: string;
  fields: Buffer[] | null;
}

/** XREADGROUP ... STREAMS <one stream>: its entries (none on a timeout). */
export function readReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  // RESP2: an array of [stream, entries] pairs; RESP3 legacy: a flat [stream, entries, ...] map.
  const entries = Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : reply[1];
  return entryList(entries);
}

/** XAUTOCLAIM: the cursor of the next call ('0-0' when the scan is complete) and the claimed entries. */
export function autoclaimReply(reply: unknown): { cursor: string; entries: StreamEntry[]; deleted: string[] } {
  if (!Array.isArray(reply)) throw new Error(`unexpected XAUTOCLAIM reply ${JSON.stringify(reply)}`);
  const [cursor, entries, deleted] = reply as [unknown, unknown, unknown];
  return {
    cursor: String(cursor),
    entries: entryList(entries),
    deleted: Array.isArray(deleted) ? deleted.map(String) : [],
  };
}

function entryList(entries: unknown): StreamEntry[] {
  if (!Array.isArray(entries)) return [];
  return entries.map((entry) => {
    const [id, fields] = entry as [unknown, unknown];
    return { id: String(id), fields: Array.isArray(fields) ? fields.map(asBuffer) : null };
  });
}

function asBuffer(value: unknown): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value));
}
