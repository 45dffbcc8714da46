import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface StartCommand {
  command: string;
  args: string[];
}

/**
 * How a service runs locally: its compiled entry point when dist/ is newer
 * than every source file, else its TypeScript through tsx (no build step),
 * else its own `npm run dev`.
 */
export function startCommand(dir: string): StartCommand {
  const compiled = join(dir, 'dist', 'main.js');
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestMtime(join(dir, 'src'))) {
    return { command: process.execPath, args: ['--enable-source-maps', 'dist/main.js'] };
  }
  if (existsSync(join(dir, 'node_modules', 'tsx'))) {
    return { command: process.execPath, args: ['--import', 'tsx', 'src/main.ts'] };
  }
  return { command: 'npm', args: ['run', '--silent', 'dev'] };
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
