import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/delivery/admission.ts';

describe('Admission: the cap on events in flight', () => {
  it('tryEnter refuses once the cap is reached, and admits again after a release', () => {
    const admission = new Admission(2);
    const a = admission.tryEnter();
    const b = admission.tryEnter();
    expect(a && b).toBeTypeOf('function');
    expect(admission.full).toBe(true);
    expect(admission.tryEnter()).toBeUndefined();
    a?.();
    a?.(); // a second release of the same room changes nothing
    expect(admission.inFlight).toBe(1);
    expect(admission.tryEnter()).toBeTypeOf('function');
  });

  it('enter waits, first come first served, and a waiter is not overtaken by tryEnter', async () => {
    const admission = new Admission(1);
    const held = admission.tryEnter() as () => void;
    const order: string[] = [];
    const first = admission.enter().then((release) => {
      order.push('first');
      return release;
    });
    const second = admission.enter().then((release) => {
      order.push('second');
      release();
    });
    expect(admission.full).toBe(true);
    held();
    expect(admission.tryEnter()).toBeUndefined(); // the room went to the first waiter
    (await first)();
    await second;
    expect(order).toEqual(['first', 'second']);
    expect(admission.inFlight).toBe(0);
  });

  it('a batch larger than the whole cap takes all of it instead of waiting forever', async () => {
    const admission = new Admission(3);
    const seen = await admission.run(10, async () => admission.inFlight);
    expect(seen).toBe(3);
    expect(admission.inFlight).toBe(0);
  });
});
