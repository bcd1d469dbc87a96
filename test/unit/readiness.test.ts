import { describe, expect, it } from 'vitest';
import { Readiness } from '../../src/readiness.ts';
import { Redactor } from '../../src/redact.ts';

const states = (r: Readiness) =>
  r.snapshot().triggers.map(({ table, ready, state, error }) => ({ table, ready, state, error }));

describe('readiness of trigger tables', () => {
  it('is ready without triggers', () => {
    expect(new Readiness(new Redactor()).snapshot()).toEqual({ ready: true, triggers: [] });
  });

  it('starts connecting; a table its adapter never reported on is ready once started', () => {
    const r = new Readiness(new Redactor());
    r.expect('trigger.http[0]');
    expect(r.snapshot().ready).toBe(false);
    r.started(['trigger.http[0]']);
    expect(states(r)).toEqual([{ table: 'trigger.http[0]', ready: true, state: 'started', error: undefined }]);
  });

  it("follows the adapter's reports over start, with the error redacted", () => {
    const r = new Readiness(new Redactor(['s3cret']));
    r.expect('trigger.kafka[0]');
    r.expect('trigger.redis[0]');
    r.notReady('trigger.redis[0]', 'reconnecting', new Error('AUTH s3cret failed on redis://u:pw@h:1'));
    r.started(['trigger.redis[0]']);
    r.ready('trigger.kafka[0]', 'consuming');
    expect(r.snapshot().ready).toBe(false);
    expect(states(r)).toEqual([
      { table: 'trigger.kafka[0]', ready: true, state: 'consuming', error: undefined },
      { table: 'trigger.redis[0]', ready: false, state: 'reconnecting', error: 'AUTH *** failed on redis://u:***@h:1' },
    ]);
    r.ready('trigger.redis[0]', 'consuming');
    expect(r.snapshot().ready).toBe(true);
  });

  it('is not ready once stopping, whatever adapters report after', () => {
    const r = new Readiness(new Redactor());
    r.expect('trigger.amqp[0]');
    r.ready('trigger.amqp[0]', 'consuming');
    r.stopping();
    r.ready('trigger.amqp[0]', 'consuming');
    expect(states(r)).toEqual([{ table: 'trigger.amqp[0]', ready: false, state: 'stopping', error: undefined }]);
  });
});
