// {{component-id}}: a wasi:http/incoming-handler component, as Spin's http-ts template.
// Each request is a `fetch` event; answer it with a Response.

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
declare function addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  return new Response(`Hello from {{component-id}}: ${request.method} ${url.pathname}\n`, {
    headers: { 'content-type': 'text/plain' },
  });
}
