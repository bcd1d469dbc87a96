import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { streams } from '@bytecodealliance/preview2-shim/io';
import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../../src/runtime/guest-output.ts';
import { OutboundNotes } from '../../../src/runtime/outbound-http.ts';
import { GuestExit, wasiImports } from '../../../src/runtime/wasi.ts';

type Fn = (...args: unknown[]) => unknown;
const fn = (imports: Record<string, unknown>, iface: string, name: string) =>
  (imports[iface] as Record<string, Fn>)[name] as Fn;

function sandbox(
  extra: { environment?: Record<string, string>; files?: { source: string; destination: string }[] } = {},
) {
  const out: string[] = [];
  return {
    out,
    imports: wasiImports({
      environment: extra.environment ?? {},
      files: extra.files ?? [],
      stdout: new LineBuffer((line) => out.push(line)),
      stderr: new LineBuffer((line) => out.push(`err: ${line}`)),
      outbound: { componentId: 'c', allowedHosts: [], timeoutMs: 1_000 },
      notes: new OutboundNotes(),
    }),
  };
}

describe('sandboxed WASI imports', () => {
  it('show the guest only the configured environment, no arguments', () => {
    const { imports } = sandbox({ environment: { GREETING: 'hi' } });
    expect(fn(imports, 'wasi:cli/environment', 'getEnvironment')()).toEqual([['GREETING', 'hi']]);
    expect(fn(imports, 'wasi:cli/environment', 'getArguments')()).toEqual([]);
  });

  it('pre-open nothing unless directories are granted', () => {
    expect(fn(sandbox().imports, 'wasi:filesystem/preopens', 'getDirectories')()).toEqual([]);
    const dir = mkdtempSync(`${tmpdir()}/spindle-files-`);
    const granted = sandbox({ files: [{ source: dir, destination: '/data' }] }).imports;
    const preopens = fn(granted, 'wasi:filesystem/preopens', 'getDirectories')() as [unknown, string][];
    expect(preopens.map(([, path]) => path)).toEqual(['/data']);
  });

  it('route stdout and stderr into the line buffers, as streams the glue accepts', () => {
    const { imports, out } = sandbox();
    const stdout = fn(imports, 'wasi:cli/stdout', 'getStdout')() as { blockingWriteAndFlush(b: Uint8Array): void };
    expect(stdout).toBeInstanceOf(streams.OutputStream);
    stdout.blockingWriteAndFlush(new TextEncoder().encode('hello\n'));
    const stderr = fn(imports, 'wasi:cli/stderr', 'getStderr')() as { write(b: Uint8Array): void };
    stderr.write(new TextEncoder().encode('oops\n'));
    expect(out).toEqual(['hello', 'err: oops']);
  });

  it('turn exit into an error instead of ending the host process', () => {
    const { imports } = sandbox();
    expect(() => fn(imports, 'wasi:cli/exit', 'exit')({ tag: 'err' })).toThrow(GuestExit);
  });

  it('give the guest a closed stdin', () => {
    const stdin = fn(sandbox().imports, 'wasi:cli/stdin', 'getStdin')() as { read(n: bigint): unknown };
    expect(() => stdin.read(10n)).toThrow(expect.objectContaining({ tag: 'closed' }));
  });

  it('deny outbound HTTP when the component allows no host', () => {
    const request = { scheme: () => ({ tag: 'HTTPS' }), authority: () => 'example.com', pathWithQuery: () => '/' };
    expect(() => fn(sandbox().imports, 'wasi:http/outgoing-handler', 'handle')(request)).toThrow(
      expect.objectContaining({ tag: 'HTTP-request-denied' }),
    );
  });
});
