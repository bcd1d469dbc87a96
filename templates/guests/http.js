// {{component-id}}: a wasi:http/incoming-handler component, as Spin's http-js template.
// Each request is a `fetch` event; answer it with a Response.
addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const url = new URL(request.url);
  return new Response(`Hello from {{component-id}}: ${request.method} ${url.pathname}\n`, {
    headers: { 'content-type': 'text/plain' },
  });
}
