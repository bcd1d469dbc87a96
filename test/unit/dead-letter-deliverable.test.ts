import { describe, expect, it } from 'vitest';
import { deadLetterEvent } from '../../src/delivery/dead-letter.ts';
import { ComponentError } from '../../src/errors.ts';
import { violations } from '../../src/event.ts';

describe('a dead letter is always deliverable', () => {
  it('writes characters no CloudEvents String may hold as \\u{..}, in the reason and in the original attributes', () => {
    const original = {
      id: 'e1',
      source: '/s',
      type: 't',
      specversion: '1.0',
      datacontenttype: 'text/plain\r\nx-injected: 1',
      extensions: {},
      data: new Uint8Array([1, 2]),
    };
    const error = new ComponentError('c', 'invalid', 'bad\ninput', { eventId: 'e1' });
    const letter = deadLetterEvent(original, error, 1);
    expect(violations(letter)).toEqual([]);
    expect(letter.datacontenttype).toBe('text/plain\\u{D}\\u{A}x-injected: 1');
    expect(letter.extensions.deadletterreason).toContain('bad\\u{A}input');
    expect(letter.data).toEqual(new Uint8Array([1, 2]));
  });

  it('leaves a clean event as it was', () => {
    const original = { id: 'e1', source: '/s', type: 't', specversion: '1.0', extensions: { a: 'b' } };
    const letter = deadLetterEvent(original, new ComponentError('c', 'invalid', 'why', { eventId: 'e1' }), 2);
    expect(letter).toMatchObject({ ...original, extensions: { a: 'b', deadletterattempts: '2' } });
  });
});
