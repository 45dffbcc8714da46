import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '../helpers/cli.js';

/** Debian's Chromium (scripts/setup-browser.sh), driven by playwright-core: no browser download. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** test-results/ is kept by CI: screenshots land there. */
export function screenshotPath(name: string): string {
  const dir = join(REPO_ROOT, 'test-results', 'dashboard');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
