import { describe, expect, it } from 'vitest';
import { ExternalError, oclifMessage, outputExcerpt, renderError } from '../src/errors.js';

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

describe('oclifMessage: an oclif parse error on one line', () => {
  // The messages as oclif 4 words them (its RequiredArgsError and a dependsOn failure).
  const missing = 'Missing 1 required arg:\nname  gateway name (a DNS label, e.g. edge)\nNote: --routes allows multiple values. Because of this you need to provide all arguments before providing that flag.\nAlternatively, you can use "--" to signify the end of the flags and the beginning of arguments.\nSee more help with --help';

  it('names the missing arg once, with no note about a flag that was not given', () => {
    expect(oclifMessage(missing, ['node', 'msx', 'new', 'gateway'])).toBe('Missing 1 required arg: name — gateway name (a DNS label, e.g. edge)');
  });

  it('keeps the note when the flag that takes several values was given (it may have taken the arg)', () => {
    expect(oclifMessage(missing, ['node', 'msx', 'new', 'gateway', '--routes', 'orders', 'edge'])).toMatch(/^Missing 1 required arg: name — gateway name \(a DNS label, e\.g\. edge\): Note: --routes allows multiple values\. .* Alternatively, you can use "--"/);
  });

  it('drops the "following error occurred" preamble', () => {
    expect(oclifMessage('The following error occurred:\n  All of the following must be provided when using --gateway: --expose\nSee more help with --help', [])).toBe('All of the following must be provided when using --gateway: --expose');
  });

  it('joins a flag and its problem as before', () => {
    expect(oclifMessage('Parsing --timeout \n\tExpected an integer greater than or equal to 1 but received: 0\nSee more help with --help', [])).toBe('Parsing --timeout: Expected an integer greater than or equal to 1 but received: 0');
  });
});
