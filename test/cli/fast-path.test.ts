import { describe, expect, it } from 'vitest';
import { LOGS_FLAGS, parseFastArgs, TRACES_FLAGS } from '../../src/cli/fast-path.js';
import Logs from '../../src/commands/logs.js';
import Traces from '../../src/commands/traces.js';

describe('the fast path of msx logs (bin/run.js → src/cli/fast-path.ts)', () => {
  it('knows exactly the flags the oclif command has', () => {
    const oclif = Object.fromEntries(
      Object.entries({ ...Logs.flags, json: { type: 'boolean' } } as Record<string, { type: string; char?: string; options?: readonly string[]; multiple?: boolean }>).map(
        ([name, flag]) => [name, { type: flag.type === 'option' ? 'string' : flag.type, char: flag.char, options: flag.options, multiple: flag.multiple ?? false }],
      ),
    );
    const fast = Object.fromEntries(Object.entries(LOGS_FLAGS).map(([name, flag]) => [name, { type: flag.type, char: flag.char, options: flag.options, multiple: false }]));
    expect(fast).toEqual(oclif);
    expect(Logs.strict).toBe(false); // services are positional arguments, as many as given
  });

  it('knows exactly the flags of msx traces', () => {
    const shape = (flags: Record<string, { type: string; char?: string; options?: readonly string[] }>) =>
      Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, { type: flag.type === 'option' ? 'string' : flag.type, char: flag.char, options: flag.options }]));
    expect(shape(TRACES_FLAGS)).toEqual(shape({ ...Traces.flags, json: { type: 'boolean' } } as never));
    expect(Traces.args ?? {}).toEqual({});
  });

  it('takes plain invocations', () => {
    expect(parseFastArgs(['--trace-id', 'abc', '--json'], LOGS_FLAGS)).toEqual({ flags: { 'trace-id': 'abc', json: true }, args: [] });
    expect(parseFastArgs(['orders', '--level=warn', '-f', 'stock', '--runtime', 'docker'], LOGS_FLAGS)).toEqual({
      flags: { level: 'warn', follow: true, runtime: 'docker' },
      args: ['orders', 'stock'],
    });
    expect(parseFastArgs(['--grep=a=b'], LOGS_FLAGS)).toEqual({ flags: { grep: 'a=b' }, args: [] });
  });

  it.each([
    [['--help']],
    [['-h']],
    [['--bogus']],
    [['--trace-id']],
    [['--trace-id', '--json']],
    [['--trace-id=']],
    [['--since', '-5m']],
    [['--level', 'loud']],
    [['--runtime', 'mars']],
    [['--json', '--json']],
    [['--follow=yes']],
    [['-fx']],
    [['--', 'orders']],
    [['--no-follow']],
  ])('leaves %j to oclif', (argv) => {
    expect(parseFastArgs(argv, LOGS_FLAGS)).toBeUndefined();
  });
});
