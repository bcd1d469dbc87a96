/** The command-line options the HTTP target benches share: how long, how hard, how often, and with what. */
import { parseArgs } from 'node:util';
import { hasWrk } from './wrk.ts';

export function loadArgs(defaults: { seconds: string; rounds: string }) {
  return parseArgs({
    options: {
      seconds: { type: 'string', default: defaults.seconds },
      concurrency: { type: 'string', default: '32' },
      rounds: { type: 'string', default: defaults.rounds },
      load: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
    },
  }).values;
}
