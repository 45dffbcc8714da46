// A minimal OTLP/HTTP receiver for the throughput benches: accepts every POST (the exporter's
// chunked JSON bodies are read to the end) and discards it. On SIGTERM prints what it took
// to stderr. Not msx's collector: only a place for the generated service's spans to go.
import { createServer } from "node:http";

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on("data", (chunk) => (bytes += chunk.length));
  req.on("end", () => {
    requests += 1;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  process.stderr.write(`otlp-sink: ${requests} exports, ${(bytes / 1e6).toFixed(1)} MB\n`);
  process.exit(0);
});
