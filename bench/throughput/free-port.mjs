// A free 127.0.0.1 port, claimed where the test suite claims its ports (test/helpers/processes.ts:
// one file per port under $TMPDIR/msx-test-ports, created exclusively; a claim older than 30 min
// is a finished run's). The kernel hands a closed port-0 listener's number out again, so without
// the claim a bench script run by the suite and a test in the other worker could be given the
// same port, and whichever bound second died (CI: "gave up waiting for: seed 127.0.0.1:43015").
// Run as a script it prints one claimed port; release(port) removes a claim made here.
import { closeSync, mkdirSync, openSync, rmSync, statSync, utimesSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CLAIMS = join(tmpdir(), "msx-test-ports");
const CLAIM_MS = 30 * 60_000;

const probePort = () => new Promise((resolve, reject) => {
  const server = createServer();
  server.on("error", reject);
  server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

function claim(port) {
  const file = join(CLAIMS, String(port));
  try { closeSync(openSync(file, "wx")); return true; } catch {}
  try {
    if (Date.now() - statSync(file).mtimeMs < CLAIM_MS) return false;
    utimesSync(file, new Date(), new Date());
    return true;
  } catch { return false; }
}

export async function freePort() {
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = await probePort();
    if (claim(port)) return port;
  }
  throw new Error(`free-port: 200 free ports in a row were claimed already (claims in ${CLAIMS})`);
}

export function release(port) { rmSync(join(CLAIMS, String(port)), { force: true }); }

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(await freePort());
