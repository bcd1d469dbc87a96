/**
 * Input the CloudEvents HTTP codec refuses at once, with a reason that names the rule or
 * the limit: never-valid characters, header bytes outside US-ASCII, batches and JSON past
 * `[application.limits]`.
 */
import { describe, expect, it } from 'vitest';
import { decode } from '../../adapters/cloudevents/codec.ts';
import { DEFAULT_LIMITS } from '../../src/app/limits.ts';
import { InvalidEventError, LimitExceededError } from '../../src/errors.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const binaryHeaders = { 'ce-specversion': '1.0', 'ce-id': 'e1', 'ce-source': '/src', 'ce-type': 'demo.t' };
const structured = (event: Record<string, unknown>) => ({
  headers: { 'content-type': 'application/cloudevents+json' },
  body: bytes(JSON.stringify({ specversion: '1.0', id: 'e1', source: '/src', type: 'demo.t', ...event })),
});

function refusal(run: () => unknown): InvalidEventError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return error as InvalidEventError;
  }
  throw new Error('expected a refusal');
}

describe('attributes that can never be valid', () => {
  it('a datacontenttype with CR/LF is refused, and the reason does not echo it', () => {
    const error = refusal(() => decode(structured({ datacontenttype: 'text/plain\r\nx-injected: 1', data: 'x' })));
    expect(error.message).toContain("attribute 'datacontenttype' contains the control character U+000D");
    expect(error.message).not.toContain('x-injected');
  });

  it('a control character in any attribute or extension is refused', () => {
    expect(refusal(() => decode(structured({ subject: 'a\u0000b' }))).message).toContain("'subject'");
    expect(refusal(() => decode(structured({ myext: 'a\u0085b' }))).message).toContain('U+0085');
  });
});

describe('ce- header values (HTTP binding 3.1.3.2)', () => {
  it('raw bytes outside printable US-ASCII are refused, not re-read as Latin-1', () => {
    // node:http gives the UTF-8 bytes of "é" as the two Latin-1 characters "Ã©".
    const error = refusal(() =>
      decode({ headers: { ...binaryHeaders, 'ce-subject': 'caf\u00c3\u00a9' }, body: bytes('') }),
    );
    expect(error.message).toContain('header ce-subject holds the byte 0xC3');
    expect(error.message).toContain('percent-encoded');
  });

  it('percent-encoded UTF-8 is decoded, lower-case hex included', () => {
    const [event] = decode({
      headers: { ...binaryHeaders, 'ce-subject': 'caf%c3%a9%20%E2%82%AC' },
      body: bytes(''),
    }).events;
    expect(event?.subject).toBe('café €');
  });

  it('percent-encoded bytes that are not UTF-8 are refused (overlong %C0%A0)', () => {
    const error = refusal(() => decode({ headers: { ...binaryHeaders, 'ce-subject': 'a%C0%A0b' }, body: bytes('') }));
    expect(error.message).toContain('not valid UTF-8');
  });

  it('a double-quoted value is unquoted before percent-decoding', () => {
    const [event] = decode({
      headers: { ...binaryHeaders, 'ce-subject': '"say \\"hi\\" 100%25"' },
      body: bytes(''),
    }).events;
    expect(event?.subject).toBe('say "hi" 100%');
  });
});

describe('limits', () => {
  const limits = { ...DEFAULT_LIMITS, maxBatchEvents: 2, maxJsonDepth: 5 };
  const member = { specversion: '1.0', id: 'b', source: '/s', type: 't' };

  it('a batch over max_batch_events: 413 naming the limit', () => {
    const error = refusal(() =>
      decode(
        {
          headers: { 'content-type': 'application/cloudevents-batch+json' },
          body: bytes(JSON.stringify([member, member, member])),
        },
        limits,
      ),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).status).toBe(413);
    expect(error.message).toBe('the batch holds 3 events, more than 2 (max_batch_events = 2)');
  });

  it('JSON nested past max_json_depth: 400 naming the limit, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = bytes(`{"specversion":"1.0","id":"d","source":"/s","type":"t","data":${deep}}`);
    const error = refusal(() => decode({ headers: { 'content-type': 'application/cloudevents+json' }, body }, limits));
    expect((error as LimitExceededError).status).toBe(400);
    expect(error.message).toBe('structured mode body nests JSON deeper than 5 levels (max_json_depth = 5)');
  });

  it('brackets inside strings do not count as depth', () => {
    const body = bytes(JSON.stringify({ ...member, data: { text: '[[[[[[[[[[{{{{{{\\"' } }));
    expect(decode({ headers: { 'content-type': 'application/cloudevents+json' }, body }, limits).events).toHaveLength(
      1,
    );
  });
});
