import { describe, expect, it } from 'vitest';
import { parseCpu, parseMemory } from '../../../src/runtimes/docker/resources.js';
import { UserError } from '../../../src/errors.js';

describe('resources from msx.yaml', () => {
  it.each([
    ['500m', 0.5],
    ['0.25', 0.25],
    ['2', 2],
  ])('cpu %s is %d cores', (value, cores) => expect(parseCpu(value, 'orders')).toBe(cores));

  it.each([
    ['256Mi', 256 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['512M', 512e6],
    ['512m', 512 * 2 ** 20],
    ['10485760', 10485760],
  ])('memory %s is %d bytes', (value, bytes) => expect(parseMemory(value, 'orders')).toBe(bytes));

  it.each([['cpu', 'lots'], ['cpu', '0'], ['memory', '12 parsecs'], ['memory', '1Ki']])('%s "%s" is a usage error naming the key', (key, value) => {
    const parse = key === 'cpu' ? parseCpu : parseMemory;
    expect(() => parse(value, 'orders')).toThrow(UserError);
    expect(() => parse(value, 'orders')).toThrow(`services.orders.resources.${key}`);
  });
});
