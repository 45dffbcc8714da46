import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli, snapshotDir } from '../helpers/cli.js';
import { commandRows, filesystemRows, svc, withService, type BadInput } from './bad-input-rows.js';
import { yamlRows } from './bad-input-yaml-rows.js';

// Given a workspace with one service (stock), every bad input below must give
// one clear message, the exit code from the table, and leave every file as it was.

const GOOD_YAML = `# my workspace
version: 1
name: shop
services:
  stock: # the warehouse
    kind: rest
    context: warehouse
    path: contexts/warehouse/stock
    port: 3000
`;

const NEW = ['new', 'service'];
const OK = ['--kind', 'rest', '--context', 'ordering'];

const cases: BadInput[] = [
  { name: 'upper-case name', args: [...NEW, 'Orders', ...OK], message: /upper case/, exit: 2 },
  { name: 'relative path as name', args: [...NEW, '../evil', ...OK], message: /is a path/, exit: 2 },
  { name: 'absolute path as name', args: [...NEW, '/tmp/evil', ...OK], message: /is a path/, exit: 2 },
  { name: 'name starting with a digit', args: [...NEW, '9lives', ...OK], message: /DNS label/, exit: 2 },
  { name: 'name ending with a dash', args: [...NEW, 'orders-', ...OK], message: /DNS label/, exit: 2 },
  { name: 'name with an underscore', args: [...NEW, 'order_svc', ...OK], message: /DNS label/, exit: 2 },
  { name: 'reserved infra name', args: [...NEW, 'rabbitmq', ...OK], message: /reserved/, exit: 2 },
  { name: 'reserved tool name', args: [...NEW, 'msx', ...OK], message: /reserved/, exit: 2 },
  { name: 'name over 63 characters', args: [...NEW, 'a'.repeat(64), ...OK], message: /longer than 63/, exit: 2 },
  { name: 'bad context', args: [...NEW, 'orders', '--kind', 'rest', '--context', 'Bad_Ctx'], message: /context "Bad_Ctx"/, exit: 2 },
  { name: 'context as a path', args: [...NEW, 'orders', '--kind', 'rest', '--context', '../up'], message: /context "..\/up" is a path/, exit: 2 },
  { name: 'unknown kind', args: [...NEW, 'orders', '--kind', 'soap', '--context', 'ordering'], message: /--kind/, exit: 2 },
  { name: 'missing --context without a TTY', args: [...NEW, 'orders', '--kind', 'rest'], message: /missing --context/, exit: 2 },
  { name: 'missing --kind without a TTY', args: [...NEW, 'orders', '--context', 'ordering'], message: /missing --kind/, exit: 2 },
  { name: 'missing name without a TTY', args: [...NEW, ...OK], message: /missing NAME/, exit: 2 },
  { name: 'privileged port', args: [...NEW, 'orders', ...OK, '--port', '80'], message: /--port 80 is out of range/, exit: 2 },
  { name: 'port not a number', args: [...NEW, 'orders', ...OK, '--port', 'abc'], message: /integer/i, exit: 2 },
  { name: 'port taken by another service', args: [...NEW, 'orders', ...OK, '--port', '3000'], message: /already used by service "stock"/, exit: 7 },
  { name: 'dependency on an unknown service', args: [...NEW, 'orders', ...OK, '--depends-on', 'ghost'], message: /"ghost" is not a service/, exit: 2 },
  { name: 'bad event name', args: [...NEW, 'orders', ...OK, '--publishes', 'Order_Placed'], message: /event "Order_Placed"/, exit: 2 },
  { name: 'consumer without events', args: [...NEW, 'mailer', '--kind', 'consumer', '--context', 'mail'], message: /at least one --subscribes/, exit: 2 },
  { name: 'subscribes on a rest service', args: [...NEW, 'orders', ...OK, '--subscribes', 'order.placed'], message: /--subscribes is for --kind consumer/, exit: 2 },
  { name: 'duplicate service', args: [...NEW, 'stock', '--kind', 'rest', '--context', 'warehouse'], message: /service "stock" already exists/, exit: 7 },
  { name: 'unknown flag', args: [...NEW, 'orders', ...OK, '--colour', 'red'], message: /colour/, exit: 2 },
  { name: 'bad --db', args: [...NEW, 'orders', ...OK, '--db', 'mongo'], message: /--db/, exit: 2 },
  { name: 'init over a workspace', args: ['init', '.'], message: /already holds a workspace/, exit: 7 },
  { name: 'init with a bad name', args: ['init', 'sub', '--name', 'Bad Name'], message: /workspace name "Bad Name"/, exit: 2 },
  {
    name: 'msx.yaml: wrong type',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('stock').replace('port: 3000', 'port: "abc"')),
    message: /^error: msx\.yaml:8:11 services\.stock\.port: .*expected number/m,
    exit: 2,
  },
  {
    name: 'msx.yaml: unknown key',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('stock', '    colour: red\n')),
    message: /^error: msx\.yaml:9:5 services\.stock\.colour: unknown key "colour"/m,
    exit: 2,
  },
  {
    name: 'msx.yaml: unknown top-level key',
    args: [...NEW, 'orders', ...OK],
    yaml: `version: 1\nname: shop\nservicez: {}\n`,
    message: /msx\.yaml:3:1 servicez: unknown key/,
    exit: 2,
  },
  {
    name: 'msx.yaml: duplicate service',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('stock') + svc('stock', '', 3001)),
    message: /msx\.yaml:9:3 \(yaml\): Map keys must be unique/,
    exit: 2,
  },
  {
    name: 'msx.yaml: dependsOn an unknown service',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('stock', '    dependsOn: [ghost]\n')),
    message: /msx\.yaml:9:17 services\.stock\.dependsOn\.0: unknown service "ghost"/,
    exit: 2,
  },
  {
    name: 'msx.yaml: a dependency cycle',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('alpha', '    dependsOn: [beta]\n') + svc('beta', '    dependsOn: [alpha]\n', 3001)),
    message: /cycle: alpha → beta → alpha/,
    exit: 2,
  },
  {
    name: 'msx.yaml: bad kind',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('stock').replace('kind: rest', 'kind: soap')),
    message: /msx\.yaml:5:11 services\.stock\.kind: /,
    exit: 2,
  },
  {
    name: 'msx.yaml: missing required key',
    args: [...NEW, 'orders', ...OK],
    yaml: withService(svc('stock').replace('    port: 3000\n', '')),
    message: /services\.stock\.port: is required/,
    exit: 2,
  },
  {
    name: 'msx.yaml: YAML syntax error',
    args: [...NEW, 'orders', ...OK],
    yaml: 'version: 1\nname: shop\nservices: [\n',
    message: /msx\.yaml:\d+:\d+ \(yaml\)/,
    exit: 2,
  },
];

const rows: BadInput[] = [...cases, ...commandRows, ...filesystemRows, ...yamlRows];

/**
 * The files under `dir`, less the loader's cache (.msx/workspace.json): a
 * command that reads a valid msx.yaml may write it, and it is msx's own state,
 * not a file of the user's.
 */
function userFiles(dir: string): Record<string, string> {
  const { '.msx/': _dir, '.msx/workspace.json': _cache, ...files } = snapshotDir(dir);
  return files;
}

describe('bad input is refused with one clear message, an exit code and no file changed', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
  });
  afterAll(() => removeDir(root));

  it('has a row for every command and at least 80 in all', () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
    const commands = new Set(rows.map((row) => (row.args[0] === 'new' ? 'new service' : row.args[0])));
    for (const command of ['init', 'new service', 'up', 'down', 'ps', 'logs', 'deploy', 'demo', 'help']) expect(commands).toContain(command);
  });

  it.each(rows)('$name', ({ name, args, yaml, setup, message, exit }) => {
    // Given
    const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(join(dir, 'contexts'), { recursive: true });
    writeFileSync(join(dir, 'msx.yaml'), yaml ?? GOOD_YAML);
    setup?.(dir);
    const before = userFiles(dir);
    // When
    const result = runCli(args, dir);
    // Then
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|unexpected failure/);
    expect(result.code).toBe(exit);
    expect(userFiles(dir)).toEqual(before);
  });

  it('outside any workspace: exit 3 and a hint to run msx init', () => {
    const dir = join(root, 'no-workspace');
    mkdirSync(dir);
    const result = runCli([...NEW, 'orders', ...OK], dir);
    expect(result.stderr).toMatch(/no msx\.yaml in .* or any folder above it/);
    expect(result.stderr).toMatch(/msx init/);
    expect(result.code).toBe(3);
    expect(snapshotDir(dir)).toEqual({});
  });
});
