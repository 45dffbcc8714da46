import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli, snapshotDir } from '../helpers/cli.js';
import { writeWorkspace } from './deploy-helpers.js';

// Rows of the bad-input table (test/commands/bad-input.test.ts) for msx deploy:
// given a workspace of three services, each bad input gives one clear message,
// the exit code from the table, no stack trace, and leaves every file as it was.
// No kubeconfig exists: each is refused before any cluster would be asked.

/** A folder nobody may write in, also for root (which passes permission bits): sysfs refuses new entries. */
const UNWRITABLE = process.getuid?.() === 0 ? '/sys/msx-out' : 'locked/out';

const noRegistry = (registry = '') => `  staging:\n    runtime: kubernetes\n${registry}    namespace: shop\n`;

interface BadDeployInput {
  name: string;
  args: string[];
  /** The staging environment, when not the usual one (with a registry). */
  environment?: string;
  /** Makes the files the row is about, in the workspace folder. */
  setup?: (dir: string) => void;
  message: RegExp;
  exit: number;
}

const rows: BadDeployInput[] = [
  {
    name: '--out a regular file',
    args: ['--out', 'k8s.yaml'],
    setup: (dir) => writeFileSync(join(dir, 'k8s.yaml'), 'kind: List\n'),
    message: /^error: --out .*\/k8s\.yaml: .*\/k8s\.yaml is a file, not a folder$/m,
    exit: 2,
  },
  {
    name: '--out under a regular file',
    args: ['--out', 'k8s.yaml/staging'],
    setup: (dir) => writeFileSync(join(dir, 'k8s.yaml'), 'kind: List\n'),
    message: /^error: --out .*\/k8s\.yaml\/staging: .*\/k8s\.yaml is a file, not a folder$/m,
    exit: 2,
  },
  {
    name: '--out where nothing may be written',
    args: ['--out', UNWRITABLE],
    setup: (dir) => {
      if (UNWRITABLE.startsWith('/')) return;
      mkdirSync(join(dir, 'locked'));
      chmodSync(join(dir, 'locked'), 0o555);
    },
    message: /^error: --out .*out: cannot write there: permission denied \((EACCES|EPERM)\); nothing was written$/m,
    exit: 2,
  },
  {
    name: '--out into a folder where a file msx did not write has an msx name',
    args: ['--out', 'k8s'],
    setup: (dir) => {
      mkdirSync(join(dir, 'k8s'));
      writeFileSync(join(dir, 'k8s', '20-service-orders.yaml'), '# my own Service\n');
    },
    message: /^error: .*\/k8s\/20-service-orders\.yaml exists and msx did not write it \(it is not in \.msx-manifests\)/m,
    exit: 7,
  },
  {
    name: '--out into a folder whose list of msx files is damaged',
    args: ['--out', 'k8s'],
    setup: (dir) => {
      mkdirSync(join(dir, 'k8s'));
      writeFileSync(join(dir, 'k8s', '.msx-manifests'), '{"files": [42');
    },
    message: /^error: .*\/k8s\/\.msx-manifests is not the list of files msx wrote \(it was edited or damaged\)$/m,
    exit: 2,
  },
  {
    name: 'a Kubernetes environment without registry, --dry-run',
    args: ['--dry-run'],
    environment: noRegistry(),
    message: /^error: environment "staging" has no registry: its images would be pulled from Docker Hub \(docker\.io\/shop\/<service>\)$/m,
    exit: 2,
  },
  {
    name: 'a Kubernetes environment without registry, --out',
    args: ['--out', 'k8s'],
    environment: noRegistry(),
    message: /^error: environment "staging" has no registry/m,
    exit: 2,
  },
  {
    name: 'a Kubernetes environment without registry, applied',
    args: ['--no-build'],
    environment: noRegistry(),
    message: /^error: environment "staging" has no registry/m,
    exit: 2,
  },
  {
    name: 'a Kubernetes environment with an empty registry',
    args: ['--dry-run'],
    environment: noRegistry('    registry: ""\n'),
    message: /^error: environment "staging" has no registry/m,
    exit: 2,
  },
];

describe('msx deploy: bad input is refused with one clear message, an exit code and no file changed', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('msx-deploy-bad-');
  });
  afterAll(() => {
    // A folder made read-only cannot be emptied until it is writable again.
    for (const row of rows) {
      const locked = join(root, slug(row.name), 'locked');
      if (existsSync(locked)) chmodSync(locked, 0o755);
    }
    removeDir(root);
  });

  it.each(rows)('$name', ({ name, args, environment, setup, message, exit }) => {
    // Given
    const dir = join(root, slug(name));
    mkdirSync(dir);
    writeWorkspace(dir, undefined, environment);
    setup?.(dir);
    const before = userFiles(dir);
    // When
    const result = runCli(['deploy', '--env', 'staging', ...args], dir, { KUBECONFIG: join(dir, 'no-kubeconfig') });
    // Then
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines.slice(1).every((line) => line.startsWith('  next: '))).toBe(true);
    expect(result.code).toBe(exit);
    expect(userFiles(dir)).toEqual(before);
    expect(result.stdout).toBe('');
    if (UNWRITABLE.startsWith('/')) expect(existsSync(UNWRITABLE)).toBe(false);
  });
});

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '-');
}

/** Every file but msx's own workspace cache (.msx/), which reading msx.yaml may write. */
function userFiles(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshotDir(dir)).filter(([path]) => !path.startsWith('.msx/')));
}
