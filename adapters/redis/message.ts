/** One message as the Redis trigger received it, and what to do with it afterwards. */

export type RedisMessage =
  /** A pub/sub message; `payload` is the bytes exactly as published. */
  | { kind: 'channel'; channel: string; payload: Uint8Array }
  /** A stream entry: its id and its fields as XREADGROUP lists them (`[field, value, ...]`), as bytes. */
  | { kind: 'stream'; stream: string; id: string; fields: Uint8Array[] };

/** `ack`: done with it (XACK); `keep`: leave it pending, to be claimed and tried again. */
export type Verdict = 'ack' | 'keep';

/** Runs one component (one trigger table) on a message. */
export type MessageHandler = (message: RedisMessage) => Promise<Verdict>;

/**
 * Runs one component on the entries of one stream read, in order (so that their emitted
 * events can go to the sink together); verdicts in the order of `messages`.
 */
export type BatchHandler = (messages: readonly RedisMessage[]) => Promise<Verdict[]>;

/** A batch handler that handles one message after another. */
export function oneByOne(handle: MessageHandler): BatchHandler {
  return async (messages) => {
    const verdicts: Verdict[] = [];
    for (const message of messages) verdicts.push(await handle(message));
    return verdicts;
  };
}

/** fanOut for batches: a message is acked only if every handler acked it. */
export function fanOutAll(handlers: readonly BatchHandler[]): BatchHandler {
  if (handlers.length === 1 && handlers[0]) return handlers[0];
  return async (messages) => {
    const all = await Promise.all(handlers.map((handle) => handle(messages)));
    return messages.map((_, i) => (all.some((verdicts) => verdicts[i] !== 'ack') ? 'keep' : 'ack'));
  };
}

/** Every handler gets the message (Spin: "a message on that channel will activate all of the components"). */
export function fanOut(handlers: readonly MessageHandler[]): MessageHandler {
  if (handlers.length === 1 && handlers[0]) return handlers[0];
  return async (message) => {
    const verdicts = await Promise.all(handlers.map((handle) => handle(message)));
    return verdicts.includes('keep') ? 'keep' : 'ack';
  };
}

/** Where a message came from, for logs: `channel messages`, `stream orders entry 1-0`. */
export function describeMessage(message: RedisMessage): string {
  return message.kind === 'channel' ? `channel ${message.channel}` : `stream ${message.stream} entry ${message.id}`;
}
