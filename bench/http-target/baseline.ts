/**
 * The baseline: a plain express CloudEvents target doing the example's transform in
 * JavaScript, as a TriggerMesh/Knative user would write it without spindle.
 * Usage: node baseline.ts  (prints "Serving http://127.0.0.1:PORT/")
 */
import type { AddressInfo } from 'node:net';
import express from 'express';

const app = express();
// The body limit of spindle's default `max_body_bytes` (express's own is 100 KB).
app.post('/', express.raw({ type: () => true, limit: '16mb' }), (req, res) => {
  const data = JSON.parse(Buffer.from(req.body as Buffer).toString('utf8'));
  data.hello = 'wasm';
  res
    .status(200)
    .set({
      'ce-id': req.header('ce-id') ?? '',
      'ce-source': 'spin-app',
      'ce-type': `${req.header('ce-type')}.transformed`,
      'ce-specversion': req.header('ce-specversion') ?? '1.0',
      'content-type': 'application/json',
    })
    .end(JSON.stringify(data));
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`Serving http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
process.once('SIGTERM', () => server.close());
