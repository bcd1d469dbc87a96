import { describe, expect, it } from 'vitest';
import { parseRouteConfig } from '../../src/app/route-config.ts';
import { TriggerTable } from '../../src/app/table.ts';
import { CesqlFilter } from '../../src/delivery/cesql/index.ts';

const table = (raw: Record<string, unknown>) => new TriggerTable('spindle.toml', 'trigger.kafka[0]', raw);
const filters = (value: unknown) => parseRouteConfig(table({ component: 'c', filters: value })).filters;
const error = (value: unknown) => () => filters(value);

describe('filters (Knative new trigger filters) in a trigger table', () => {
  it('reads every dialect, nested, with CESQL parsed at load', () => {
    const parsed = filters([
      { prefix: { type: 'com.example.' } },
      { any: [{ exact: { source: 'a' } }, { cesql: "subject LIKE 'order-%'" }] },
      { not: { exact: { type: 'x' } } },
      { all: [{ suffix: { subject: '.json', region: '-1' } }] },
    ]);
    expect(parsed).toEqual([
      { prefix: { type: 'com.example.' } },
      { any: [{ exact: { source: 'a' } }, { cesql: expect.any(CesqlFilter) }] },
      { not: { exact: { type: 'x' } } },
      { all: [{ suffix: { subject: '.json', region: '-1' } }] },
    ]);
    expect(JSON.stringify(parsed?.[1])).toBe(`{"any":[{"exact":{"source":"a"}},{"cesql":"subject LIKE 'order-%'"}]}`);
  });

  it('keeps filter beside filters, and takes an empty list', () => {
    expect(parseRouteConfig(table({ component: 'c', filter: { exact: { type: 'a' } }, filters: [] }))).toEqual({
      table: 'trigger.kafka[0]',
      component: 'c',
      filter: { exact: { type: 'a' } },
      filters: [],
    });
  });

  it.each([
    [
      { exact: { type: 'a' } },
      'filters: expected a list of filters, such as [ { exact = { type = "..." } } ], got a table',
    ],
    [
      [{ exact: { type: 'a' }, prefix: { type: 'b' } }],
      'filters[0]: expected exactly one of exact, prefix, suffix, all, any, not, cesql, got exact, prefix',
    ],
    [[{}], 'filters[0]: expected exactly one of exact, prefix, suffix, all, any, not, cesql, got an empty table'],
    [[{ sql: 'true' }], 'filters[0]: expected exactly one of exact, prefix, suffix, all, any, not, cesql, got sql'],
    [
      ['type'],
      'filters[0]: expected exactly one of exact, prefix, suffix, all, any, not, cesql, got the string "type"',
    ],
    [
      [{ exact: {} }],
      'filters[0].exact: expected a table of attribute = "value", such as { type = "com.example.created" }, got an empty table',
    ],
    [
      [{ prefix: { Type: 'a' } }],
      'filters[0].prefix.Type: is not a CloudEvent attribute name (lowercase letters and digits)',
    ],
    [[{ suffix: { type: '' } }], 'filters[0].suffix.type: expected a non-empty string, got the string ""'],
    [[{ exact: { type: 1 } }], 'filters[0].exact.type: expected a non-empty string, got number 1'],
    [[{ any: [] }], 'filters[0].any: needs at least one filter'],
    [[{ all: { exact: { type: 'a' } } }], 'filters[0].all: expected a list of filters'],
    [
      [{ not: [{ exact: { type: 'a' } }] }],
      'filters[0].not: expected exactly one of exact, prefix, suffix, all, any, not, cesql, got a list',
    ],
    [
      [{ any: [{ exact: { type: 'a' } }, { not: { cesql: 5 } }] }],
      'filters[0].any[1].not.cesql: expected a CloudEvents SQL expression (a string), got number 5',
    ],
  ])('names the field of a bad shape: %j', (value, message) => {
    expect(error(value)).toThrow(`spindle.toml: [trigger.kafka[0]] ${message}`);
  });

  it('refuses at load a CESQL expression that does not parse, naming the field, the column and why', () => {
    expect(error([{ exact: { type: 'a' } }, { cesql: "subject LIKE 'order-%' AND" }])).toThrow(
      'spindle.toml: [trigger.kafka[0]] filters[1].cesql: invalid CloudEvents SQL at column 27 of "subject LIKE \'order-%\' AND": expected a value, an attribute or a function call, got the end of the expression',
    );
    expect(error([{ cesql: 'type LIKE 5' }])).toThrow(
      'filters[0].cesql: invalid CloudEvents SQL at column 11 of "type LIKE 5": LIKE takes a string literal pattern, got \'5\'',
    );
    expect(error([{ cesql: 'FOO(type) = 1' }])).toThrow(
      'filters[0].cesql: invalid CloudEvents SQL at column 1 of "FOO(type) = 1": there is no function FOO taking 1 argument',
    );
    expect(error([{ cesql: "CONCAT(type, 'x')" }])).toThrow(
      'filters[0].cesql: invalid CloudEvents SQL at column 1 of "CONCAT(type, \'x\')": the expression is a String and a filter needs a Boolean',
    );
  });

  it('keeps the parse error as the cause', () => {
    try {
      filters([{ cesql: '(' }]);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).cause).toMatchObject({ name: 'CesqlParseError', column: 2 });
    }
  });
});
