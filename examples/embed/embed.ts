/**
 * Embedding spindle in a Node program: an app defined in code (no manifest), its
 * component given as bytes, started on a free port, invoked directly, then stopped.
 * Run: node examples/embed/embed.ts   (after `npx spindle build -f examples/transform`)
 */
import { readFile } from 'node:fs/promises';
import { type CloudEvent, defineApp, startApp } from 'spindle';

const wasm = await readFile(new URL('../transform/transform.wasm', import.meta.url));

const app = defineApp({
  name: 'embedded-transform',
  variables: { suffix: { default: '.embedded' } },
  components: { transform: { source: wasm, variables: { suffix: '{{ suffix }}' } } },
  triggers: [{ type: 'cloudevents', component: 'transform', route: '/transform' }],
});

const running = await startApp(app, { listen: { host: '127.0.0.1', port: 0 } });
console.log(`serving ${new URL('/transform', running.url).href}`);

// Invoke the component directly, without HTTP.
const event: CloudEvent = {
  id: 'embed-1',
  source: '/embed',
  type: 'io.example.order',
  specversion: '1.0',
  datacontenttype: 'application/json',
  extensions: {},
  data: new TextEncoder().encode(JSON.stringify({ order: 42 })),
};
const [out] = await running.invoke('transform', event);
console.log(`invoked: type ${out?.type}, source ${out?.source}, data ${new TextDecoder().decode(out?.data)}`);

// And over HTTP, as a Knative sender would.
const response = await fetch(new URL('/transform', running.url), {
  method: 'POST',
  headers: { 'ce-specversion': '1.0', 'ce-id': 'embed-2', 'ce-source': '/embed', 'ce-type': 'io.example.order' },
  body: '{"order": 43}',
});
console.log(`over HTTP: ${response.status} ${response.headers.get('ce-type')} ${await response.text()}`);

await running.stop();
