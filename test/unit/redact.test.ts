import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SinkError } from '../../src/errors.ts';
import { redactingLogger } from '../../src/log.ts';
import { Redactor, redactUrl } from '../../src/redact.ts';

describe('redactUrl', () => {
  it('masks the password of a URI, keeps the user, host and path', () => {
    expect(redactUrl(new URL('amqp://spindle:s3cret@mq:5672/orders?exchange=x'))).toBe(
      'amqp://spindle:***@mq:5672/orders?exchange=x',
    );
    expect(redactUrl('redis://:s3cret@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
  });

  it('masks every URI in a text, also one a URL parser refuses (a Kafka bootstrap list)', () => {
    const text = 'sink kafka://u:p4ss@h1:9092,h2:9092/t failed; then http://a:b@c/ too';
    expect(redactUrl(text)).toBe('sink kafka://u:***@h1:9092,h2:9092/t failed; then http://a:***@c/ too');
  });

  it('leaves a URI without a password as it is', () => {
    for (const uri of ['http://127.0.0.1:8080/', 'amqp://guest@mq/', 'kafka://h:9092/t']) {
      expect(redactUrl(uri)).toBe(uri);
    }
  });
});

describe('Redactor', () => {
  const redactor = new Redactor(['t0ken/with space', 'ab']);

  it('masks secret values as given and percent-encoded as in a URI', () => {
    expect(redactor.text('GET http://h/t0ken%2Fwith%20space and t0ken/with space')).toBe('GET http://h/*** and ***');
  });

  it('redacts an error in place: message, stack, text fields and causes', () => {
    const cause = new Error('connect to http://user:pw@h/ab failed');
    const error = new SinkError('http://h/ab', 'POST failed', { cause });
    expect(redactor.error(error)).toBe(error);
    expect(error.message).toBe('sink http://h/***: POST failed');
    expect(error.sink).toBe('http://h/***');
    expect(error.stack).not.toContain('/ab');
    expect(cause.message).toBe('connect to http://user:***@h/*** failed');
  });

  it('copies a log argument with every string redacted, whatever its depth', () => {
    const argument = { sink: 'http://h/ab', list: ['ab', 1], nested: { deeper: 'x:ab' } };
    expect(redactor.value(argument)).toEqual({ sink: 'http://h/***', list: ['***', 1], nested: { deeper: 'x:***' } });
    expect(argument.sink).toBe('http://h/ab');
  });
});

describe('redactingLogger', () => {
  it('shows no secret in any line, from the logger or its children, in messages, fields or errors', () => {
    const lines: string[] = [];
    const base = pino({ level: 'debug', base: undefined }, { write: (line: string) => lines.push(line) });
    const logger = redactingLogger(base, new Redactor(['hunter2']));
    logger.info({ uri: 'amqp://u:pw@mq/' }, 'connecting with hunter2');
    logger.child({ sink: 'http://h/hunter2' }).warn({ err: new Error('refused: hunter2') }, 'failed');
    logger.debug('plain');
    logger.trace('not enabled: hunter2');
    expect(lines).toHaveLength(3);
    const output = lines.join('');
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain(':pw@');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ uri: 'amqp://u:***@mq/', msg: 'connecting with ***' });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ sink: 'http://h/***', err: { message: 'refused: ***' } });
  });
});
