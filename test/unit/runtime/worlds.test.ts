import { describe, expect, it } from 'vitest';
import { binaryKind } from '../../../src/runtime/binary.ts';
import { worldsOf } from '../../../src/runtime/worlds.ts';

describe('world detection from exports', () => {
  it.each([
    [
      [
        ['spindle:event/handler@0.1.0', 'instance'],
        ['handler', 'instance'],
      ],
      ['event'],
    ],
    [[['fermyon:spin/inbound-redis', 'instance']], ['spin-redis']],
    [[['fermyon:spin/inbound-redis@2.0.0', 'instance']], ['spin-redis']],
    [[['fermyon:spin/inbound-http', 'instance']], ['spin-http']],
    [[['wasi:http/incoming-handler@0.2.10', 'instance']], ['wasi-http']],
    [[['wasi:http/incoming-handler@0.2.0', 'instance']], ['wasi-http']],
    [[['handle-timer-request', 'function']], ['timer']],
    [[['handleTimerRequest', 'function']], ['timer']],
  ] as const)('%j -> %j', (exports, worlds) => {
    expect([...worldsOf(exports)]).toEqual(worlds);
  });

  it('finds every world a component serves', () => {
    const worlds = worldsOf([
      ['spindle:event/handler@0.1.0', 'instance'],
      ['fermyon:spin/inbound-redis', 'instance'],
    ]);
    expect([...worlds].sort()).toEqual(['event', 'spin-redis']);
  });

  it('finds none in unrelated exports', () => {
    expect(
      worldsOf([
        ['wasi:http/incoming-handler@0.3.0', 'instance'],
        ['hello', 'function'],
      ]).size,
    ).toBe(0);
    expect(worldsOf([['example:foo/handler', 'instance']]).size).toBe(0);
  });
});

describe('binary kind from the wasm header', () => {
  const header = (...bytes: number[]) => new Uint8Array([0x00, 0x61, 0x73, 0x6d, ...bytes]);

  it('tells a core module from a component', () => {
    expect(binaryKind(header(1, 0, 0, 0))).toBe('module');
    expect(binaryKind(header(0x0d, 0, 1, 0))).toBe('component');
  });

  it('rejects what is not wasm', () => {
    expect(binaryKind(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBeUndefined();
    expect(binaryKind(header(1, 0))).toBeUndefined();
    expect(binaryKind(header(2, 0, 0, 0))).toBeUndefined();
  });
});
