import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * STYLE.md's rooms and their doors, kept by the build: a room may import the
 * rooms below it, never one beside it.
 *
 *   commands, cli → services → { runtimes, deploy, logs, generators } → { kube, state, docker, wiring, models, output, files, input } → errors
 *
 * Inside runtimes/, the core (files at its root) is below local/ and docker/,
 * which never import each other; select-runtime.ts is the room's front door and
 * the one file that may load either (lazily).
 */
const SRC = resolve(import.meta.dirname, '../../src');

const ALLOWED: Record<string, readonly string[]> = {
  entry: ['commands', 'cli', 'dashboard', 'services', 'runtimes/front', 'runtimes/core', 'collector', 'deploy', 'logs', 'generators', 'kube', 'state', 'docker', 'models', 'output', 'files', 'input', 'errors'],
  commands: ['entry', 'cli', 'dashboard', 'services', 'logs', 'models', 'output', 'input', 'errors'],
  cli: ['entry', 'services', 'logs', 'models', 'output', 'errors'],
  dashboard: ['services', 'logs', 'models', 'errors'],
  services: ['runtimes/front', 'runtimes/core', 'deploy', 'logs', 'generators', 'kube', 'state', 'docker', 'models', 'files', 'errors'],
  'runtimes/front': ['runtimes/core', 'runtimes/local', 'runtimes/docker', 'state', 'models', 'errors'],
  'runtimes/local': ['runtimes/core', 'collector', 'state', 'models', 'errors'],
  'runtimes/docker': ['runtimes/core', 'collector', 'docker', 'state', 'models', 'errors'],
  'runtimes/core': ['state', 'models', 'errors'],
  deploy: ['kube', 'docker', 'models', 'output', 'files', 'errors'],
  logs: ['kube', 'state', 'models', 'errors'],
  generators: ['models', 'files', 'errors'],
  collector: ['state', 'models', 'errors'],
  kube: ['models', 'errors'],
  state: ['models', 'errors'],
  docker: ['models', 'errors'],
  output: ['models', 'errors'],
  files: ['errors'],
  input: ['errors'],
  models: ['errors'],
  errors: [],
};

/**
 * Renderers show what the rooms above return, and commands pass options down,
 * so `import type` from any room below the entry is fine for them; code is not.
 */
const TYPES_FROM_ANYWHERE = new Set(['output', 'commands', 'cli']);

export function roomOf(file: string): string {
  const path = relative(SRC, file).replaceAll('\\', '/');
  if (path === 'base-command.ts' || path === 'help.ts') return 'entry';
  if (path === 'errors.ts') return 'errors';
  if (path === 'runtimes/select-runtime.ts') return 'runtimes/front';
  const [top, second] = path.split('/');
  if (top === 'runtimes') return second === 'local' || second === 'docker' ? `runtimes/${second}` : 'runtimes/core';
  return top;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface ImportEdge { from: string; to: string; typeOnly: boolean }

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8');
  const edges: ImportEdge[] = [];
  const pattern = /(?:^|\n)\s*(import\s+type\b|import|export)[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    const spec = match[2] ?? match[3];
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    edges.push({ from: file, to: target, typeOnly: match[1] === 'import type' });
  }
  return edges;
}

describe('rooms and their doors', () => {
  const files = sourceFiles(SRC);

  it('classifies every source file into a known room', () => {
    const unknown = files.map((f) => `${relative(SRC, f)} → ${roomOf(f)}`).filter((line) => !(line.split(' → ')[1] in ALLOWED));
    expect(unknown).toEqual([]);
  });

  it('no room imports one beside or above it', () => {
    const forbidden: string[] = [];
    for (const edge of files.flatMap(importsOf)) {
      const from = roomOf(edge.from);
      const to = roomOf(edge.to);
      if (from === to || ALLOWED[from]?.includes(to)) continue;
      if (edge.typeOnly && TYPES_FROM_ANYWHERE.has(from) && to !== 'commands' && to !== 'entry') continue;
      forbidden.push(`src/${relative(SRC, edge.from)} (${from}) imports src/${relative(SRC, edge.to)} (${to})`);
    }
    expect(forbidden).toEqual([]);
  });

  it('the checker sees a forbidden import when there is one', () => {
    // Given a logs/ file importing deploy/, When classified, Then the edge is not allowed.
    const from = roomOf(join(SRC, 'logs/x.ts'));
    const to = roomOf(join(SRC, 'deploy/y.ts'));
    expect(ALLOWED[from]).not.toContain(to);
    expect(ALLOWED[roomOf(join(SRC, 'runtimes/docker/a.ts'))]).not.toContain(roomOf(join(SRC, 'runtimes/local/b.ts')));
    expect(ALLOWED[roomOf(join(SRC, 'deploy/a.ts'))]).not.toContain(roomOf(join(SRC, 'runtimes/docker/b.ts')));
  });
});
