// One OTLP/HTTP server for bench/collector.mjs, in its own process:
//   collector WS  msx's collector (dist/): decode, convert, store under WS/.msx/spans
//   bare          node:http that reads each body and throws it away, answering 200
// Prints its port on stdout, runs until SIGTERM. COUNT=1: on SIGTERM, one line on stderr with the
// spans (collector) or bytes (bare) taken and the requests they came in, so a bench can check that
// every span it caused arrived (a full batch queue in the service drops spans silently).
import { createServer } from 'node:http';

const [kind, ws] = process.argv.slice(2);
let close;
let requests = 0;
let taken = 0;
if (kind === 'collector') {
  const { startCollector } = await import('../dist/collector/collector.js');
  if (process.env.COUNT === '1') {
    // The store gets each request's spans in one append: count them there, the collector's code untouched.
    const { SpanStoreWriter } = await import('../dist/state/span-store.js');
    const append = SpanStoreWriter.prototype.append;
    SpanStoreWriter.prototype.append = function (spans) {
      requests += 1;
      taken += spans.length;
      return append.call(this, spans);
    };
  }
  const collector = await startCollector(ws, { port: 0 });
  console.log(collector.port);
  close = () => collector.close();
} else {
  const server = createServer((request, response) => {
    request.on('data', (chunk) => (taken += chunk.length));
    request.on('end', () => {
      requests += 1;
      response.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': 0 });
      response.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  console.log(server.address().port);
  close = () => new Promise((resolve) => server.close(resolve));
}
process.on('SIGTERM', async () => {
  await close();
  if (process.env.COUNT === '1') process.stderr.write(`${kind}: ${taken} ${kind === 'collector' ? 'spans' : 'bytes'} in ${requests} requests\n`);
  process.exit(0);
});
