import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from '../../src/suggest.ts';

describe('did you mean', () => {
  it('finds the nearest name for a typo, a swap of two letters counting as one slip', () => {
    expect(closest('componnet', ['component', 'source'])).toBe('component');
    expect(closest('lisen', ['listen', 'limit'])).toBe('listen');
    expect(closest('kafak', ['kafka', 'redis', 'amqp'])).toBe('kafka');
    expect(closest('Redis', ['kafka', 'redis'])).toBe('redis');
  });

  it('suggests nothing for a word that is no near miss, nor for an exact match', () => {
    expect(closest('x', ['component', 'source'])).toBeUndefined();
    expect(closest('colour', ['application', 'variables', 'trigger', 'component'])).toBeUndefined();
    expect(closest('source', ['source'])).toBeUndefined();
    expect(didYouMean('zzz', ['up', 'build'])).toBe('');
    expect(didYouMean('biuld', ['up', 'build'], (c) => `'${c}'`)).toBe(" (did you mean 'build'?)");
  });
});
