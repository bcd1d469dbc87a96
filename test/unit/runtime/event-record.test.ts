import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../src/event.ts';
import { fromRecord, toRecord } from '../../../src/runtime/event-record.ts';

const full: CloudEvent = {
  id: 'a-1',
  source: '/orders',
  type: 'order.created',
  specversion: '1.0',
  datacontenttype: 'application/json',
  dataschema: 'https://example.com/order.json',
  subject: 'order 7',
  time: '2026-11-21T10:00:00Z',
  extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', seq: '7' },
  data: new Uint8Array([0, 1, 2, 255]),
};

describe('CloudEvent <-> WIT event record', () => {
  it('carries every attribute, extension and data byte into the record', () => {
    expect(toRecord(full)).toEqual({
      id: 'a-1',
      source: '/orders',
      type: 'order.created',
      specversion: '1.0',
      datacontenttype: 'application/json',
      dataschema: 'https://example.com/order.json',
      subject: 'order 7',
      time: '2026-11-21T10:00:00Z',
      extensions: [
        ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
        ['seq', '7'],
      ],
      data: new Uint8Array([0, 1, 2, 255]),
    });
  });

  it('round-trips a full event unchanged', () => {
    expect(fromRecord(toRecord(full))).toEqual(full);
  });

  it('maps absent options to none and back to absent fields', () => {
    const minimal: CloudEvent = { id: 'b', source: 's', type: 't', specversion: '1.0', extensions: {} };
    const record = toRecord(minimal);
    expect(record.datacontenttype).toBeUndefined();
    expect(record.data).toBeUndefined();
    expect(record.extensions).toEqual([]);
    const back = fromRecord(record);
    expect(back).toEqual(minimal);
    expect(Object.keys(back).sort()).toEqual(['extensions', 'id', 'source', 'specversion', 'type']);
  });

  it('keeps empty data distinct from no data', () => {
    const empty = fromRecord({ ...toRecord(full), data: new Uint8Array(0) });
    expect(empty.data).toEqual(new Uint8Array(0));
  });

  it('keeps the last value of an extension the guest listed twice', () => {
    const back = fromRecord({
      ...toRecord(full),
      extensions: [
        ['x', '1'],
        ['x', '2'],
      ],
    });
    expect(back.extensions).toEqual({ x: '2' });
  });
});
