// One OTLP/HTTP server for bench/collector.mjs, in its own process:
//   collector WS  msx's collector (dist/): decode, convert, store under WS/.msx/spans
//   bare          node:http that reads each body and throws it away, answering 200
// Prints its port on stdout, runs until SIGTERM.
import { createServer } from 'node:http';

const [kind, ws] = process.argv.slice(2);
let close;
if (kind === 'collector') {
  const { startCollector } = await import('../dist/collector/collector.js');
  const collector = await startCollector(ws, { port: 0 });
  console.log(collector.port);
  close = () => collector.close();
} else {
  const server = createServer((request, response) => {
    request.on('data', () => undefined);
    request.on('end', () => {
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
  process.exit(0);
});
