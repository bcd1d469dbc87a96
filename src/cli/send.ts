import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AdapterRegistry } from '../adapters.ts';
import { SinkPool } from '../delivery/sinks.ts';
import { SpindleError } from '../errors.ts';
import { type CloudEvent, decodeUtf8, toStructured, violations } from '../event.ts';
import { silentLogger } from '../log.ts';
import { redactUrl } from '../redact.ts';
import { parsePairs } from './options.ts';

export const SEND_USAGE = `  spindle send URI --type TYPE [--source SOURCE] [--id ID] [--subject SUBJECT]
               [--data TEXT | --data-file FILE] [--datacontenttype TYPE]
               [--extension NAME=VALUE]... [--structured]
      Send one CloudEvent to an HTTP URL or any sink URI (kafka://, redis://, amqp://),
      binary mode unless --structured; prints the event an HTTP target answers with.
      Defaults: --source spindle-cli, --id a new UUID, --datacontenttype
      application/json when the data parses as JSON, else text/plain when it is
      UTF-8 text, else application/octet-stream.
`;

export async function send(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      source: { type: 'string', default: 'spindle-cli' },
      id: { type: 'string' },
      subject: { type: 'string' },
      data: { type: 'string' },
      'data-file': { type: 'string' },
      datacontenttype: { type: 'string' },
      extension: { type: 'string', multiple: true, default: [] },
      structured: { type: 'boolean', default: false },
    },
  });
  const [uri, ...extra] = positionals;
  if (uri === undefined || extra.length > 0) {
    throw new SpindleError(`spindle send takes one URI, got ${positionals.length} (see spindle send --help)`);
  }
  if (values.type === undefined) throw new SpindleError('spindle send needs --type (the event type)');
  if (values.data !== undefined && values['data-file'] !== undefined) {
    throw new SpindleError('give either --data or --data-file, not both');
  }
  const data = values['data-file'] !== undefined ? await readData(values['data-file']) : values.data;
  const event = buildEvent({ ...values, type: values.type, data });

  const sinks = new SinkPool(new AdapterRegistry(), silentLogger());
  const target = values.structured && !/^https?:/i.test(uri) ? withStructuredMode(uri) : uri;
  try {
    const sink = await sinks.open(target);
    if (sink.request === undefined) {
      await sink.send([event]);
      console.log(`Sent event ${event.id} to ${redactUrl(uri)}`);
      return 0;
    }
    const reply = await sink.request(event, values.structured ? 'structured' : 'binary');
    if (reply.length === 0) console.error(`Sent event ${event.id}: accepted, no event in reply`);
    for (const answer of reply) console.log(JSON.stringify(toStructured(answer), null, 2));
    return 0;
  } finally {
    await sinks.closeAll();
  }
}

interface EventFlags {
  type: string;
  source: string;
  id?: string | undefined;
  subject?: string | undefined;
  data?: string | Uint8Array | undefined;
  datacontenttype?: string | undefined;
  extension: string[];
}

function buildEvent(flags: EventFlags): CloudEvent {
  const data = typeof flags.data === 'string' ? new TextEncoder().encode(flags.data) : flags.data;
  const datacontenttype =
    data === undefined ? flags.datacontenttype : (flags.datacontenttype ?? guessContentType(data));
  const event: CloudEvent = {
    specversion: '1.0',
    id: flags.id ?? randomUUID(),
    source: flags.source,
    type: flags.type,
    extensions: parsePairs('--extension', flags.extension),
    ...(flags.subject === undefined ? {} : { subject: flags.subject }),
    ...(datacontenttype === undefined ? {} : { datacontenttype }),
    ...(data === undefined ? {} : { data }),
  };
  const wrong = violations(event);
  if (wrong.length > 0) throw new SpindleError(`not a valid CloudEvent: ${wrong.join('; ')}`);
  return event;
}

async function readData(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new SpindleError(`cannot read --data-file ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** A --data-file of bytes that are not UTF-8 (an image, protobuf) is not text: calling it text/plain invites decoding it. */
function guessContentType(data: Uint8Array): string {
  const text = decodeUtf8(data);
  if (text === undefined) return 'application/octet-stream';
  try {
    JSON.parse(text);
    return 'application/json';
  } catch {
    return 'text/plain';
  }
}

/** A broker sink URI asked for structured mode (`?mode=structured`, which the sink's adapter checks). */
function withStructuredMode(uri: string): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}mode=structured`;
}
