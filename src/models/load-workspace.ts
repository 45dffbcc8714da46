import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { findWorkspaceRoot } from './find-workspace.js';
import { gatewayProblems, withRoutedDependencies } from './gateway-routes.js';
import { dependencyOrder } from './graph.js';
import { isInfraName, nameProblem } from './names.js';
import { WorkspaceSchema, type WorkspaceSpec } from './schema.js';
import { WORKSPACE_FILE, type Service, type Workspace } from './workspace.js';
import { formatKeyPath, locate, type KeyPath } from './yaml-location.js';

export { findWorkspaceRoot };

/** The workspace with its YAML document, for commands that write msx.yaml. */
export async function loadWorkspace(start = process.cwd()): Promise<Workspace> {
  const root = findWorkspaceRoot(start);
  const file = join(root, WORKSPACE_FILE);
  return parseWorkspace(await readFile(file, 'utf8'), root);
}

/**
 * Parses and validates msx.yaml text. Every problem is reported at once as
 * `msx.yaml:LINE:COL key.path: message`.
 */
export function parseWorkspace(text: string, root: string): Workspace {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (path: KeyPath, message: string, atKey = false) =>
    `${WORKSPACE_FILE}:${locate(document, lines, path, atKey)} ${formatKeyPath(path)}: ${message}`;

  if (document.errors.length > 0) {
    throw new ValidationError(document.errors.map((e) => yamlProblem(e, lines)), 'fix the YAML syntax in msx.yaml');
  }
  if (document.contents === null) {
    throw new ValidationError([`${WORKSPACE_FILE} is empty`], 'restore it (git checkout msx.yaml), or start from the one `msx init` writes');
  }
  const parsed = WorkspaceSchema.safeParse(plainValue(document, lines));
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.flatMap((issue) => issueProblems(issue, at)), 'fix msx.yaml and run again');
  }
  const problems = crossChecks(parsed.data, at);
  if (problems.length > 0) throw new ValidationError(problems, 'fix msx.yaml and run again');

  const workspace = toWorkspace(parsed.data, root, document);
  try {
    dependencyOrder(workspace.services);
  } catch (error) {
    const message = (error as Error).message;
    throw new ValidationError([at(['services'], message)], 'remove one of these dependsOn entries in msx.yaml');
  }
  return workspace;
}

/** The document as plain data; an alias that resolves to nothing (or to too much) is a YAML problem, not a bug. */
function plainValue(document: Document, lines: LineCounter): unknown {
  try {
    return document.toJS();
  } catch (error) {
    const node = (error as { source?: { range?: [number, number] } }).source;
    const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new ValidationError([`${WORKSPACE_FILE}:${at.line}:${at.col} (yaml): ${(error as Error).message}`], 'fix the YAML in msx.yaml');
  }
}

function yamlProblem(error: { message: string; pos: [number, number] }, lines: LineCounter): string {
  const { line, col } = lines.linePos(error.pos[0]);
  return `${WORKSPACE_FILE}:${line}:${col} (yaml): ${error.message.split('\n')[0]}`;
}

type At = (path: KeyPath, message: string, atKey?: boolean) => string;

function issueProblems(issue: z.core.$ZodIssue, at: At): string[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => at([...path, key], `unknown key "${key}"`, true));
  }
  if (issue.code === 'custom' && issue.params?.atKey) return [at(path, issue.message, true)];
  const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  return [at(path, missing ? `is required (${issue.message})` : issue.message)];
}

/** Rules that span several entries: names as keys, dependsOn targets, ports, paths. */
function crossChecks(spec: WorkspaceSpec, at: At): string[] {
  const problems: string[] = [];
  const names = new Set(Object.keys(spec.services));
  const ports = new Map<number, string>();
  for (const [name, service] of Object.entries(spec.services)) {
    const keyProblem = nameProblem(name, 'service name');
    if (keyProblem) problems.push(at(['services', name], keyProblem, true));
    service.dependsOn.forEach((dep, i) => {
      if (dep === name) problems.push(at(['services', name, 'dependsOn', i], `"${name}" cannot depend on itself`));
      else if (!names.has(dep) && !isInfraName(dep)) {
        problems.push(at(['services', name, 'dependsOn', i], `unknown service "${dep}" (known: ${[...names].join(', ')}; infra: rabbitmq, postgres, redis)`));
      }
    });
    const taken = ports.get(service.port);
    if (taken) problems.push(at(['services', name, 'port'], `port ${service.port} is already used by "${taken}"`));
    ports.set(service.port, name);
    if (isAbsolute(service.path) || normalize(service.path).startsWith('..')) {
      problems.push(at(['services', name, 'path'], `"${service.path}" must be a relative path inside the workspace`));
    }
  }
  problems.push(...gatewayProblems(spec, at));
  return problems;
}

function toWorkspace(spec: WorkspaceSpec, root: string, document: Document): Workspace {
  const services: Service[] = Object.entries(spec.services).map(([name, service]) => ({
    ...service,
    dependsOn: withRoutedDependencies(service),
    name,
    dir: join(root, service.path),
  }));
  return {
    root,
    file: join(root, WORKSPACE_FILE),
    name: spec.name,
    services,
    infra: spec.infra ?? {},
    environments: spec.environments ?? { local: { runtime: 'local' } },
    document,
  };
}
