import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CheckReport, checkApp, worldNames } from '../check-app.ts';
import { parseVariables } from './options.ts';

export const CHECK_USAGE = `  spindle check [-f FILE|DIR] [--variable NAME=VALUE]...
      Validate the app without starting it: the manifest, its variables, each component
      against the worlds its triggers need, each trigger table and sink URI (no broker
      is contacted). Prints the routes and sinks; exits 1 listing every problem found.
`;

export async function check(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string', short: 'f', default: '.' },
      variable: { type: 'string', multiple: true, default: [] },
    },
  });
  const report = await checkApp(resolve(values.file), { variables: parseVariables(values.variable) });
  process.stdout.write(describe(report));
  if (report.problems.length === 0) return 0;
  const count = report.problems.length;
  process.stderr.write(
    `${count} problem${count === 1 ? '' : 's'}:\n${report.problems.map((p) => `  - ${p}\n`).join('')}`,
  );
  return 1;
}

function describe({ app, components, triggers }: CheckReport): string {
  if (app === undefined) return '';
  const lines = [`App ${app.name} (${app.file})`, 'Components:'];
  for (const id of Object.keys(app.components)) {
    const worlds = components.get(id);
    lines.push(`  ${id}: ${worlds === undefined ? '(not loaded)' : worldNames(worlds)}`);
  }
  lines.push('Triggers:');
  for (const t of triggers) {
    const parts = [`  [${t.table}]`, ...(t.route === undefined ? [] : [t.route]), `-> ${t.component}`];
    if (t.sink !== undefined) parts.push(`sink ${t.sink}`);
    if (t.deadLetter !== undefined) parts.push(`dead_letter ${t.deadLetter}`);
    lines.push(parts.join(' '));
  }
  return `${lines.join('\n')}\n`;
}
