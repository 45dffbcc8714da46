import { describe, expect, it } from 'vitest';
import { ExternalError, outputExcerpt, renderError } from '../src/errors.js';

describe('outputExcerpt: how an external command\'s output reaches the user', () => {
  it('keeps the first lines (the cause) and the last (the summary) of a long output, and says how many it left out', () => {
    const lines = ['npm error code ERESOLVE', 'npm error ERESOLVE could not resolve', ...Array.from({ length: 100 }, (_, i) => `npm error line ${i}`), 'npm error A complete log of this run can be found in: /x.log'];
    const excerpt = outputExcerpt(lines.join('\n')).split('\n');
    expect(excerpt.slice(0, 2)).toEqual(['npm error code ERESOLVE', 'npm error ERESOLVE could not resolve']);
    expect(excerpt.at(-1)).toBe('npm error A complete log of this run can be found in: /x.log');
    expect(excerpt).toContain('… 71 lines left out …');
    expect(excerpt).toHaveLength(33);
  });

  it('takes out escape codes, with or without their ESC, progress redraws and blank lines', () => {
    expect(outputExcerpt('\x1b[91mnpm ERR!\x1b[0m bad\n\n[91mstep failed[0m\nfetch 10%\rfetch 100%\n')).toBe('npm ERR! bad\nstep failed\nfetch 100%');
  });

  it('a short output is shown whole', () => {
    expect(outputExcerpt('a\nb')).toBe('a\nb');
  });

  it('ExternalError renders the excerpt under the command it names', () => {
    const { lines, exitCode } = renderError(new ExternalError('installing orders\'s dependencies failed', 'npm ci', '\x1b[31mnpm error Missing: vite from lock file\x1b[0m'));
    expect(lines).toEqual(['error: installing orders\'s dependencies failed (command: npm ci)', '  | npm error Missing: vite from lock file']);
    expect(exitCode).toBe(4);
  });
});
