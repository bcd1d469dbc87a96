import type { FileMount } from '../app/model.ts';
import { monotonicClock, wallClock } from './clocks.ts';
import { closedInputStream, type LineBuffer, outputStream } from './guest-output.ts';
import { type OutboundConfig, type OutboundNotes, outgoingHandler } from './outbound-http.ts';
import { filesystem, http, io, random, sockets } from './preview2-shim.ts';

/** What one instance may see of the host. */
export interface Sandbox {
  /** The only environment variables the guest sees. */
  environment: Record<string, string>;
  /** Host directories pre-opened for the guest; none means no filesystem at all. */
  files: FileMount[];
  stdout: LineBuffer;
  stderr: LineBuffer;
  /** Where outbound HTTP may go, and where refusals are noted for the user. */
  outbound: OutboundConfig;
  notes: OutboundNotes;
}

// The Node build of the shim has these factories; the package's `types` condition
// resolves to the browser declarations, which lack them.
interface NodeFactories {
  createFilesystem(options: { preopens: Record<string, string> }): { types: unknown; preopens: unknown };
  createSockets(options: { enableNetwork: boolean }): Record<string, unknown>;
}
const { createFilesystem } = filesystem as unknown as NodeFactories;
const { createSockets } = sockets as unknown as NodeFactories;

/** A guest calling `wasi:cli/exit`: the shim's own exit would end the host process. */
export class GuestExit extends Error {
  override name = 'GuestExit';
}

/**
 * WASI imports for one instance, keyed as jco's glue looks them up (without the
 * `@version` suffix). Built per instance from the shim's stateless parts plus
 * instance-local factories: the shim's process-wide defaults (host env, argv, cwd,
 * stdio, `_setPreopens`) are never handed to a guest.
 */
export function wasiImports(sandbox: Sandbox): Record<string, unknown> {
  const environment = Object.entries(sandbox.environment);
  const fs = createFilesystem({
    preopens: Object.fromEntries(sandbox.files.map((mount) => [mount.destination, mount.source])),
  });
  const net = createSockets({ enableNetwork: false });
  return {
    'wasi:cli/environment': {
      getEnvironment: () => environment,
      getArguments: () => [],
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit(status: { tag: 'ok' | 'err' }): never {
        throw new GuestExit(`guest called exit (${status.tag === 'ok' ? 'success' : 'failure'})`);
      },
      exitWithCode(code: number): never {
        throw new GuestExit(`guest called exit with code ${code}`);
      },
    },
    'wasi:cli/stdin': { getStdin: () => closedInputStream() },
    'wasi:cli/stdout': { getStdout: () => outputStream(sandbox.stdout) },
    'wasi:cli/stderr': { getStderr: () => outputStream(sandbox.stderr) },
    // No terminal: every `get-terminal-*` returns none.
    'wasi:cli/terminal-input': { TerminalInput: class TerminalInput {} },
    'wasi:cli/terminal-output': { TerminalOutput: class TerminalOutput {} },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
    'wasi:clocks/monotonic-clock': monotonicClock,
    'wasi:clocks/wall-clock': wallClock,
    'wasi:filesystem/preopens': fs.preopens,
    'wasi:filesystem/types': fs.types,
    'wasi:io/error': io.error,
    'wasi:io/poll': io.poll,
    'wasi:io/streams': io.streams,
    'wasi:random/random': random.random,
    'wasi:random/insecure': random.insecure,
    'wasi:random/insecure-seed': random.insecureSeed,
    'wasi:sockets/instance-network': net.instanceNetwork,
    'wasi:sockets/network': net.network,
    'wasi:sockets/ip-name-lookup': net.ipNameLookup,
    'wasi:sockets/tcp': net.tcp,
    'wasi:sockets/tcp-create-socket': net.tcpCreateSocket,
    'wasi:sockets/udp': net.udp,
    'wasi:sockets/udp-create-socket': net.udpCreateSocket,
    'wasi:http/types': http.types,
    'wasi:http/outgoing-handler': outgoingHandler(sandbox.outbound, sandbox.notes),
  };
}
