/**
 * Which part of spindle (or of the plain program) a CPU profile sample belongs to. A
 * sample goes to the first frame, from the leaf up, that says whose work it is: a V8
 * builtin (JSON.parse, a Buffer copy) or a Node module (a socket write, a Buffer read)
 * counts for the code that called it, so kafkajs's decoding its Buffers is the broker
 * client's, and only what runs with no code of ours or of a library above it (the event
 * loop's own turns) is Node's.
 */
export interface CallFrame {
  functionName: string;
  url: string;
}

export const CATEGORIES = [
  'guest, in wasm',
  'jco glue and WASI shim',
  'hand-over (postMessage, message ports)',
  'broker client',
  'spindle adapter',
  'spindle core and runtime',
  'metrics',
  'plain program: its own code',
  'other dependencies',
  'Node: event loop, no caller of ours',
  'native, no JavaScript on the stack',
  'GC (on the thread)',
  'idle',
] as const;

export type Category = (typeof CATEGORIES)[number];

const BROKER_CLIENTS =
  /\/node_modules\/(kafkajs|ioredis|@ioredis|redis-parser|redis-errors|standard-as-callback|denque|cluster-key-slot|amqplib|buffer-more-ints)\//;
const METRICS = /\/node_modules\/(prom-client|tdigest|bintrees)\/|\/dist\/src\/observe\//;
/** Where jco's transpiled JavaScript of a component is cached, and the WASI shim it imports. */
const JCO_GLUE = /\/\.spindle\/cache\/|\/spindle-cache-[^/]*\/|\/node_modules\/@bytecodealliance\/preview2-shim\//;
/** Node's side of posting and receiving messages between threads. */
const HAND_OVER = /^node:internal\/(worker|worker\/io|per_context\/messageport)$/;

/** The category of one sample, given its stack from the leaf (first) to the root. */
export function categorize(stack: readonly CallFrame[]): Category {
  const leaf = stack[0]?.functionName;
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return 'GC (on the thread)';
  if (leaf === '(program)') return 'native, no JavaScript on the stack';
  for (const { functionName, url } of stack) {
    const category = owner(functionName, url);
    if (category !== undefined) return category;
  }
  return 'Node: event loop, no caller of ours';
}

function owner(functionName: string, url: string): Category | undefined {
  if (url.startsWith('wasm://')) return 'guest, in wasm';
  if (HAND_OVER.test(url) || (functionName === 'postMessage' && (url === '' || url.startsWith('node:')))) {
    return 'hand-over (postMessage, message ports)';
  }
  if (url === '' || url.startsWith('node:')) return undefined; // its caller's
  if (JCO_GLUE.test(url)) return 'jco glue and WASI shim';
  if (BROKER_CLIENTS.test(url)) return 'broker client';
  if (METRICS.test(url)) return 'metrics';
  if (url.includes('/dist/adapters/')) return 'spindle adapter';
  if (url.includes('/dist/src/')) return 'spindle core and runtime';
  if (url.includes('/bench/')) return 'plain program: its own code';
  return 'other dependencies';
}
