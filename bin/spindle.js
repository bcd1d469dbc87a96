#!/usr/bin/env node
// The `spindle` command. Plain JavaScript that any Node parses, so that too old a Node
// hears which version spindle needs instead of a stack trace from the code it cannot run.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const [needMajor, needMinor] = pkg.engines.node
  .replace(/^>=\s*/, '')
  .split('.')
  .map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < (needMinor ?? 0))) {
  process.stderr.write(`spindle needs Node.js ${pkg.engines.node} (this is ${process.version})\n`);
  process.exit(1);
}
const cli = new URL('../dist/src/cli.js', import.meta.url);
try {
  await import(cli.href);
} catch (error) {
  // A checkout whose dist/ was never built (`npm run demo`, `npm test` and `npm pack` build it).
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(cli.pathname)) throw error;
  process.stderr.write('spindle is not built in this checkout: run `npm run build`\n');
  process.exit(1);
}
