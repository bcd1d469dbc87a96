import { describe, expect, it } from 'vitest';
import { type Instance, InstancePool } from '../../../src/runtime/instance-pool.ts';

function counting(): { create: () => Promise<Instance>; created: () => number; settled: () => number } {
  let created = 0;
  let settled = 0;
  return {
    create: async () => {
      created += 1;
      return {
        exports: { n: created },
        settle: () => {
          settled += 1;
        },
        explain: (error) => error,
        release: () => {},
      };
    },
    created: () => created,
    settled: () => settled,
  };
}

describe('InstancePool', () => {
  it("'fresh' instantiates for every use", async () => {
    const factory = counting();
    const pool = new InstancePool('fresh', factory.create);
    const seen = [await pool.use((e) => e.n), await pool.use((e) => e.n), await pool.use((e) => e.n)];
    expect(seen).toEqual([1, 2, 3]);
    expect(factory.settled()).toBe(3);
  });

  it("'reuse' keeps one instance for sequential uses", async () => {
    const factory = counting();
    const pool = new InstancePool('reuse', factory.create);
    for (let i = 0; i < 5; i++) await pool.use((e) => e.n);
    expect(factory.created()).toBe(1);
  });

  it('never reuses an instance whose use threw', async () => {
    const factory = counting();
    const pool = new InstancePool('reuse', factory.create);
    await expect(
      pool.use(() => {
        throw new Error('trap');
      }),
    ).rejects.toThrow('trap');
    expect(await pool.use((e) => e.n)).toBe(2);
    expect(await pool.use((e) => e.n)).toBe(2);
    expect(factory.settled()).toBe(3);
  });

  it('gives concurrent uses their own instances', async () => {
    const factory = counting();
    const pool = new InstancePool('reuse', factory.create);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = pool.use(async (e) => {
      await gate;
      return e.n;
    });
    const second = await pool.use((e) => e.n);
    release();
    expect([await first, second].sort()).toEqual([1, 2]);
  });

  it("'reuse' serves a burst of synchronous uses with one instance", async () => {
    const factory = counting();
    const pool = new InstancePool('reuse', factory.create);
    const seen = await Promise.all(Array.from({ length: 10 }, () => pool.use((e) => e.n)));
    expect(seen).toEqual(Array(10).fill(1));
    expect(factory.created()).toBe(1);
  });

  it("'reuse' serves a burst with the instance it has, instead of making one per use", async () => {
    const factory = counting();
    const pool = new InstancePool('reuse', factory.create);
    await pool.use((e) => e.n);
    const seen = await Promise.all(Array.from({ length: 10 }, () => pool.use((e) => e.n)));
    expect(seen).toEqual(Array(10).fill(1));
    expect(factory.created()).toBe(1);
  });

  it('a waiter instantiates its own when the instance it waited for threw', async () => {
    const factory = counting();
    const pool = new InstancePool('reuse', factory.create);
    const failing = pool.use(() => {
      throw new Error('trap');
    });
    const waiting = pool.use((e) => e.n);
    await expect(failing).rejects.toThrow('trap');
    expect(await waiting).toBe(2);
  });

  it('refuses uses after close', async () => {
    const pool = new InstancePool('reuse', counting().create);
    pool.close();
    await expect(pool.use(() => 1)).rejects.toThrow('closed');
  });
});
