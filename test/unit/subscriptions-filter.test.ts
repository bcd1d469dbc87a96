import { describe, expect, it } from 'vitest';
import { CesqlFilter } from '../../src/delivery/cesql/index.ts';
import { admits } from '../../src/delivery/filter.ts';
import { matchesAll } from '../../src/delivery/subscriptions-filter.ts';
import type { CloudEvent } from '../../src/event.ts';
import type { SubscriptionsFilter } from '../../src/trigger.ts';

const event: CloudEvent = {
  id: 'e1',
  source: '/shop/eu',
  type: 'com.example.order.created',
  specversion: '1.0',
  subject: 'order-42',
  extensions: { region: 'eu-west' },
};
const cesql = (expression: string): SubscriptionsFilter => ({ cesql: new CesqlFilter(expression) });

describe('filters: Knative new trigger filters (Subscriptions API dialects)', () => {
  it.each<[string, SubscriptionsFilter[], boolean]>([
    ['no filters', [], true],
    ['exact', [{ exact: { type: 'com.example.order.created' } }], true],
    ['exact is case-sensitive', [{ exact: { type: 'com.example.order.Created' } }], false],
    ['exact on an extension', [{ exact: { region: 'eu-west' } }], true],
    ['exact on a missing attribute', [{ exact: { time: 'x' } }], false],
    ['prefix', [{ prefix: { type: 'com.example.' } }], true],
    ['prefix on a missing attribute', [{ prefix: { dataschema: 'h' } }], false],
    ['suffix', [{ suffix: { type: '.created' } }], true],
    ['several attributes in one entry must all match', [{ suffix: { type: '.created', subject: '43' } }], false],
    ['not of a match', [{ not: { exact: { type: 'com.example.order.created' } } }], false],
    ['not of a missing attribute', [{ not: { exact: { missing: 'x' } } }], true],
    ['all', [{ all: [{ prefix: { type: 'com.' } }, { exact: { region: 'eu-west' } }] }], true],
    ['all with one miss', [{ all: [{ prefix: { type: 'com.' } }, { exact: { region: 'us' } }] }], false],
    ['any', [{ any: [{ exact: { source: 'a' } }, cesql("subject LIKE 'order-%'")] }], true],
    ['any with none', [{ any: [{ exact: { source: 'a' } }, cesql("subject LIKE 'invoice-%'")] }], false],
    ['cesql', [cesql("region LIKE 'eu-%' AND INT(SUBSTRING(subject, 7)) > 40")], true],
    ['cesql with an error', [cesql('missing = 1 OR TRUE')], false],
    ['not of cesql with an error (as Knative: the negation of a failed filter)', [{ not: cesql('missing = 1') }], true],
    [
      'every entry of the list must match',
      [{ prefix: { type: 'com.example.' } }, { not: { exact: { type: 'com.example.order.created' } } }],
      false,
    ],
  ])('%s', (_, filters, expected) => {
    expect(matchesAll(filters, event)).toBe(expected);
  });

  it('needs filter and filters both when a route has both', () => {
    const filters: SubscriptionsFilter[] = [{ suffix: { type: '.created' } }];
    expect(admits({ filter: { exact: { region: 'eu-west' } }, filters }, event)).toBe(true);
    expect(admits({ filter: { exact: { region: 'us' } }, filters }, event)).toBe(false);
    expect(
      admits(
        { filter: { exact: { region: 'eu-west' } }, filters: [{ not: filters[0] as SubscriptionsFilter }] },
        event,
      ),
    ).toBe(false);
    expect(admits({}, event)).toBe(true);
  });
});
