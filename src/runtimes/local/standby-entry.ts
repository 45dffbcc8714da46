/**
 * A warm spare of a service process (standby.ts): started with the service's
 * env after a watch restart, it loads tsx and the service's own dependencies
 * (what does not change on a source edit), then waits for one line on stdin.
 * On the next edit the supervisor stops the old process and writes that line:
 * only then is the service's main imported, so it runs the code as saved.
 * Nothing here listens on a port before that line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const main = resolve(process.argv[2]);
// stdin is unref'd by service-guard.ts: this timer keeps the spare alive until it is used.
const keepAlive = setInterval(() => undefined, 1 << 30);
const go = new Promise<void>((done) => {
  const onData = (chunk: Buffer) => {
    if (!chunk.includes(10)) return;
    process.stdin.off('data', onData);
    done();
  };
  process.stdin.on('data', onData);
});

// Only now, with the listener above in place: the guard's resume() would drop a line nobody listened for.
await import('./service-guard.js');
await preloadDependencies(pathToFileURL(main).href);
await go;
clearInterval(keepAlive);
// The service sees itself started as `node src/main.ts`.
process.argv.splice(1, 2, main);
await import(pathToFileURL(main).href);

/** Imports each package.json dependency as the service's main would resolve it; one that fails to load is left to main. */
async function preloadDependencies(parent: string): Promise<void> {
  let names: string[] = [];
  try {
    names = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  } catch {
    return;
  }
  for (const name of names) {
    try {
      await import(import.meta.resolve(name, parent));
    } catch {
      // types-only or CLI-only packages have nothing to import
    }
  }
}
