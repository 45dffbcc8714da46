import { isMap, isSeq } from 'yaml';
import { parseWorkspace } from './load-workspace.js';
import type { RouteSpec, ServiceSpec } from './schema.js';
import type { Workspace } from './workspace.js';

/** The msx.yaml `msx init` writes: commented so a user can edit it by hand. */
export function initialWorkspaceText(name: string): string {
  return [
    '# msx workspace. Docs: msx --help. Every command reads this file.',
    'version: 1',
    `name: ${name}`,
    '',
    '# Services are added by `msx new service`; each lives in contexts/<context>/<name>/.',
    'services: {}',
    '',
    '# Infra shared by services. Without a url, msx uses the default local port.',
    '# infra:',
    '#   rabbitmq: { url: amqp://guest:guest@127.0.0.1:5672 }',
    '#   postgres: { url: postgres://postgres@127.0.0.1:5432/postgres }',
    '',
    'environments:',
    '  local:',
    '    runtime: local',
    '',
  ].join('\n');
}

/** What msx.yaml stores for a service: only keys that differ from the defaults. */
function compactSpec(spec: ServiceSpec): Record<string, unknown> {
  const entry: Record<string, unknown> = { kind: spec.kind, context: spec.context, path: spec.path, port: spec.port };
  if (spec.db !== 'none') entry.db = spec.db;
  if (spec.dependsOn.length > 0) entry.dependsOn = spec.dependsOn;
  if (spec.publishes.length > 0) entry.publishes = spec.publishes;
  if (spec.subscribes.length > 0) entry.subscribes = spec.subscribes;
  if (Object.keys(spec.config).length > 0) entry.config = spec.config;
  if (spec.secrets.length > 0) entry.secrets = spec.secrets;
  if (spec.routes) entry.routes = spec.routes;
  return entry;
}

/**
 * The text of msx.yaml with one more service, keeping the user's comments and
 * key order (yaml's Document API), validated by the same loader every command
 * uses before anything is written.
 */
export function textWithService(workspace: Workspace, name: string, spec: ServiceSpec, expose?: { gateway: string; route: RouteSpec }): string {
  const document = workspace.document.clone();
  const services = document.get('services', true);
  const node = document.createNode(compactSpec(spec));
  if (isMap(services)) {
    services.flow = false;
    services.set(name, node);
  } else {
    document.set('services', document.createNode({ [name]: compactSpec(spec) }));
  }
  if (expose) {
    const routes = document.getIn(['services', expose.gateway, 'routes'], true);
    if (isSeq(routes)) routes.add(document.createNode(expose.route));
    else document.setIn(['services', expose.gateway, 'routes'], document.createNode([expose.route]));
  }
  const text = document.toString();
  parseWorkspace(text, workspace.root);
  return text;
}
