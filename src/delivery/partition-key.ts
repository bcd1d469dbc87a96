/**
 * An event's partition key: the CloudEvents Partitioning extension `partitionkey` (a
 * String), or, for a key no CloudEvents String can hold (bytes that are not UTF-8, or
 * text with a control character), spindle's `spindlekeybase64`: the key's bytes in
 * base64. Brokers with keys (Kafka) read a record key into one of the two and key the
 * records they produce with it; the dispatcher carries the input's key to the events a
 * component emits (see inheritPartitionKey).
 */
import { type CloudEvent, decodeUtf8, forbiddenCharacter, withChanges } from '../event.ts';

export const PARTITION_KEY = 'partitionkey';
export const PARTITION_KEY_BASE64 = 'spindlekeybase64';

/**
 * The extension that carries `key`: `partitionkey` when it is text a CloudEvents String
 * may hold, else `spindlekeybase64`. An empty key carries nothing (it is no key to keep).
 */
export function partitionKeyExtension(key: Uint8Array): Record<string, string> {
  if (key.byteLength === 0) return {};
  const text = decodeUtf8(key);
  if (text !== undefined && forbiddenCharacter(text) === undefined) return { [PARTITION_KEY]: text };
  return { [PARTITION_KEY_BASE64]: Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64') };
}

/** Whether the event names a partition key, in either form. */
export function hasPartitionKey(event: CloudEvent): boolean {
  return event.extensions[PARTITION_KEY] !== undefined || event.extensions[PARTITION_KEY_BASE64] !== undefined;
}

/** The event's partition key: `partitionkey` if it has one (it wins), else the bytes of `spindlekeybase64`. */
export function partitionKeyOf(event: CloudEvent): string | Buffer | undefined {
  const text = event.extensions[PARTITION_KEY];
  if (text !== undefined) return text;
  const base64 = event.extensions[PARTITION_KEY_BASE64];
  return base64 === undefined ? undefined : Buffer.from(base64, 'base64');
}

/**
 * `emitted` keyed like `input` when the component named no key of its own: the key of a
 * record survives a component by default, even one that returns no extensions, so that
 * a keyed sink keeps per-key order across the hop. Setting `partitionkey` changes it.
 */
export function inheritPartitionKey(input: CloudEvent, emitted: CloudEvent): CloudEvent {
  if (hasPartitionKey(emitted) || !hasPartitionKey(input)) return emitted;
  const inherited: Record<string, string> = {};
  for (const name of [PARTITION_KEY, PARTITION_KEY_BASE64]) {
    const value = input.extensions[name];
    if (value !== undefined) inherited[name] = value;
  }
  return withChanges(emitted, { extensions: inherited });
}
