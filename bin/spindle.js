#!/usr/bin/env node
// spindle's sources are TypeScript that Node >= 22.18 runs directly (type stripping).
import '../src/cli.ts';
