import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { COMPONENT_ID } from '../app/component.ts';
import { SpindleError } from '../errors.ts';
import { packagePath } from '../package-files.ts';
import { didYouMean } from '../suggest.ts';

export const NEW_USAGE = `  spindle new TEMPLATE DIR | spindle new --list
      Make a new app in DIR (which must not exist, or be empty) from a template: a
      CloudEvents target, a Kafka, Redis Streams or AMQP transformer, or a Spin HTTP
      component, each in JavaScript (-js) or TypeScript (-ts).
`;

/** What differs between templates: the manifest (templates/triggers/) and the guest (templates/guests/). */
interface Kind {
  manifest: string;
  guest: 'transformer' | 'http';
  description: string;
  /** How to try the app once it is up, for its README. */
  tryIt: string;
}

const KINDS: Record<string, Kind> = {
  cloudevents: {
    manifest: 'cloudevents',
    guest: 'transformer',
    description: 'A CloudEvents target (Knative, TriggerMesh) that transforms each event it is sent',
    tryIt: 'Try it: `spindle send http://127.0.0.1:3000/ --type demo --data \'{"n":1}\'`',
  },
  kafka: {
    manifest: 'kafka',
    guest: 'transformer',
    description: 'A Kafka transformer: records of one topic, transformed, to a sink',
    tryIt: 'Try it: `spindle send kafka://127.0.0.1:9092/{{project-name}}-in --type demo --data \'{"n":1}\'`',
  },
  'redis-streams': {
    manifest: 'redis-streams',
    guest: 'transformer',
    description: 'A Redis Streams transformer: entries of one stream, read by a consumer group, to a sink',
    tryIt: "Try it: `spindle send 'redis://127.0.0.1:6379?stream={{project-name}}-in' --type demo --data '{\"n\":1}'`",
  },
  amqp: {
    manifest: 'amqp',
    guest: 'transformer',
    description: 'An AMQP (RabbitMQ) transformer: messages of one queue, transformed, to an exchange',
    tryIt:
      "Bind a queue to `amq.topic` for the output, then: `spindle send 'amqp://guest:guest@127.0.0.1:5672/?routing_key={{project-name}}-in' --type demo --data '{\"n\":1}'`",
  },
  http: {
    manifest: 'http',
    guest: 'http',
    description: "A Spin HTTP component (wasi:http incoming-handler), as Spin's http-js/http-ts",
    tryIt: 'Try it: `curl http://127.0.0.1:3000/hello`',
  },
};

const LANGUAGES = { js: 'JavaScript', ts: 'TypeScript' } as const;
type Language = keyof typeof LANGUAGES;

interface Template {
  name: string;
  kind: Kind;
  language: Language;
}

const TEMPLATES: Template[] = Object.entries(KINDS).flatMap(([kind, spec]) =>
  (Object.keys(LANGUAGES) as Language[]).map((language) => ({ name: `${kind}-${language}`, kind: spec, language })),
);

export async function newApp(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { list: { type: 'boolean', default: false } },
  });
  if (values.list) {
    const width = Math.max(...TEMPLATES.map((t) => t.name.length));
    for (const t of TEMPLATES) console.log(`${t.name.padEnd(width)}  ${t.kind.description} (${LANGUAGES[t.language]})`);
    return 0;
  }
  const [name, dir, ...extra] = positionals;
  if (name === undefined || dir === undefined || extra.length > 0) {
    throw new SpindleError('usage: spindle new TEMPLATE DIR (spindle new --list shows the templates)');
  }
  const template = TEMPLATES.find((t) => t.name === name);
  if (template === undefined) {
    const names = TEMPLATES.map((t) => t.name);
    throw new SpindleError(`unknown template '${name}'${didYouMean(name, names)}; the templates: ${names.join(', ')}`);
  }
  const target = resolve(dir);
  await refuseNonEmpty(target);
  const files = await render(template, projectName(target));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(target, path)), { recursive: true });
    await writeFile(join(target, path), content);
  }
  const near = relative(process.cwd(), target);
  const shown = near === '' ? '.' : near.startsWith('..') ? target : near;
  console.log(`Created a ${template.name} app in ${shown}. Next:\n  cd ${shown}\n  spindle build\n  spindle up`);
  return 0;
}

async function refuseNonEmpty(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new SpindleError(`${dir} is a file, not a directory`);
    throw new SpindleError(`cannot read ${dir}: ${error.message}`, { cause: error });
  });
  if (entries.length > 0) {
    throw new SpindleError(`${dir} is not empty (${entries.length} entries): give a new or empty directory`);
  }
}

/** The directory's name as a kebab-case id, which is both the app name and the component id. */
function projectName(dir: string): string {
  const kebab = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const id = /^[a-z]/.test(kebab) ? kebab : `app-${kebab}`.replace(/-$/, '');
  if (!COMPONENT_ID.test(id)) throw new SpindleError(`cannot make a component id of the name ${basename(dir)}`);
  return id;
}

/** The app's files, path -> content, placeholders (`{{project-name}}`...) filled in. */
async function render(template: Template, project: string): Promise<Record<string, string>> {
  const { kind, language } = template;
  const read = (path: string) => readFile(packagePath(`templates/${path}`), 'utf8');
  const version = JSON.parse(await readFile(packagePath('package.json'), 'utf8')).version as string;
  const guest = `src/index.${language}`;
  const values: Record<string, string> = {
    'project-name': project,
    'component-id': project,
    template: template.name,
    guest,
    ext: language,
    'spindle-version': version,
    description: kind.description,
    'try-it': kind.tryIt,
  };
  const files: Record<string, string> = {
    'spindle.toml': await read(`triggers/${kind.manifest}.toml`),
    [guest]: await read(`guests/${kind.guest}.${language}`),
    '.gitignore': await read('common/_gitignore'), // npm pack leaves out files named .gitignore
    'README.md': await read('common/README.md'),
    'package.json': await read('common/package.json'),
    ...(language === 'ts' ? { 'tsconfig.json': await read('common/tsconfig.json') } : {}),
  };
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path, fill(text, values)]));
}

/**
 * `{{key}}` for the keys given, twice (a value may hold a placeholder); every other
 * `{{ ... }}` stays, for the manifest's own variable templates such as `{{ suffix }}`.
 */
function fill(text: string, values: Record<string, string>): string {
  const once = (t: string) => t.replace(/\{\{([a-z-]+)\}\}/g, (match, key: string) => values[key] ?? match);
  return once(once(text));
}
