import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One bad input: the CLI run in a workspace (msx.yaml, contexts/) that `setup` may change first. */
export interface BadInput {
  name: string;
  args: string[];
  yaml?: string;
  setup?: (dir: string) => void;
  message: RegExp;
  exit: number;
}

export const withService = (body: string) => `version: 1\nname: shop\nservices:\n${body}`;
export const svc = (name: string, extra = '', port = 3000) =>
  `  ${name}:\n    kind: rest\n    context: c\n    path: contexts/c/${name}\n    port: ${port}\n${extra}`;

const STAGING = 'environments:\n  local:\n    runtime: local\n  staging:\n    runtime: kubernetes\n    registry: 127.0.0.1:5000\n    namespace: shop\n';
const msxYamlFolder = (dir: string) => {
  rmSync(join(dir, 'msx.yaml'));
  mkdirSync(join(dir, 'msx.yaml', 'nested'), { recursive: true });
};
/** stock's folder, so a check of service folders (the runtime's) is never what refuses these rows. */
const stockFolder = (dir: string) => {
  mkdirSync(join(dir, 'contexts', 'warehouse', 'stock'), { recursive: true });
  writeFileSync(join(dir, 'contexts', 'warehouse', 'stock', 'package.json'), '{"name":"stock"}\n');
};
const privateKeyFile = (dir: string) =>
  writeFileSync(join(dir, 'private.pem'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
/** stock behind a gateway with no key: every route public. */
const PUBLIC_GATEWAY = withService(
  '  stock:\n    kind: rest\n    context: warehouse\n    path: contexts/warehouse/stock\n    port: 3000\n' +
    '  edge:\n    kind: gateway\n    context: edge\n    path: contexts/edge/edge\n    port: 3001\n    routes:\n      - { path: /stock, service: stock, public: true }\n',
);
const file = (path: string) => (dir: string) => writeFileSync(join(dir, path), 'not a folder\n');

/** Every command with bad flags, arguments or names; commands that do not exist. */
export const commandRows: BadInput[] = [
  { name: 'unknown command, a typo', args: ['deploi'], message: /^error: unknown command "deploi"\n {2}next: did you mean `msx deploy`\?/, exit: 2 },
  { name: 'unknown command, nothing near', args: ['nope'], message: /^error: unknown command "nope"\n {2}next: `msx help` lists every command/, exit: 2 },
  { name: 'unknown subcommand, a typo', args: ['new', 'servce'], message: /unknown command "new servce"\n.*did you mean `msx new service`/, exit: 2 },
  { name: 'unknown subcommand', args: ['new', 'thing', '--kind', 'rest'], message: /unknown command "new thing"/, exit: 2 },
  { name: 'down with an argument', args: ['down', 'orders'], message: /^error: `msx down` takes no arguments, but got "orders"\n {2}next: see `msx down --help`/, exit: 2 },
  { name: 'ps with an argument', args: ['ps', 'orders'], message: /`msx ps` takes no arguments, but got "orders"/, exit: 2 },
  { name: 'help for an unknown command', args: ['help', 'deploi'], message: /unknown command "deploi"\n.*did you mean `msx deploy`/, exit: 2 },
  { name: 'help for two commands', args: ['help', 'up', 'down'], message: /unknown command "up down"\n {2}next: `msx help up`/, exit: 2 },
  { name: 'help with an unknown flag', args: ['help', '--bogus'], message: /Nonexistent flag: --bogus/, exit: 2 },
  { name: 'up: an unknown service', args: ['up', 'ghost'], setup: stockFolder, message: /^error: unknown service "ghost"\n {2}next: services: stock/, exit: 3 },
  { name: 'up: --timeout 0', args: ['up', '--timeout', '0'], message: /--timeout: Expected an integer greater than or equal to 1/, exit: 2 },
  { name: 'up: --runtime kubernetes', args: ['up', '--runtime', 'kubernetes'], message: /--runtime=kubernetes to be one of: local, docker/, exit: 2 },
  { name: 'up: unknown flag', args: ['up', '--env', 'staging'], message: /Nonexistent flag: --env/, exit: 2 },
  { name: 'down: --runtime kubernetes', args: ['down', '--runtime', 'kubernetes'], message: /--runtime=kubernetes to be one of: local, docker/, exit: 2 },
  { name: 'down: unknown flag', args: ['down', '--force'], message: /Nonexistent flag: --force/, exit: 2 },
  { name: 'down: a value for a switch', args: ['down', '--volumes=yes'], message: /Unexpected argument: yes/, exit: 2 },
  { name: 'ps: unknown runtime', args: ['ps', '--runtime', 'podman'], message: /--runtime=podman to be one of: local, docker/, exit: 2 },
  { name: 'ps: unknown flag', args: ['ps', '--all'], message: /Nonexistent flag: --all/, exit: 2 },
  { name: 'logs: unknown level', args: ['logs', '--level', 'loud'], message: /--level=loud to be one of: trace, debug, info, warn, error, fatal/, exit: 2 },
  { name: 'logs: --since not a time', args: ['logs', '--since', 'yesterday'], message: /--since "yesterday" is not a duration or a time/, exit: 2 },
  { name: 'logs: --until not a time', args: ['logs', '--until', '5x'], message: /--until "5x" is not a duration or a time/, exit: 2 },
  { name: 'logs: malformed trace id', args: ['logs', '--trace-id', 'xyz'], message: /trace id "xyz" is malformed/, exit: 2 },
  { name: 'logs: --follow with --until', args: ['logs', '--follow', '--until', '5m'], message: /--until cannot be used with --follow\n {2}next: drop one of them/, exit: 2 },
  { name: 'logs: --since after --until', args: ['logs', '--since', '1m', '--until', '10m'], message: /--since 1m is after --until 10m: no line can match/, exit: 2 },
  { name: 'logs: unknown environment', args: ['logs', '--env', 'nope'], message: /unknown environment "nope" \(msx\.yaml has: local\)/, exit: 3 },
  { name: 'logs: unknown runtime', args: ['logs', '--runtime', 'nomad'], message: /--runtime=nomad to be one of: local, docker, kubernetes/, exit: 2 },
  { name: 'logs: unknown flag', args: ['logs', '--tail', '5'], message: /Nonexistent flag: --tail/, exit: 2 },
  { name: 'deploy: no kubernetes environment', args: ['deploy', '--dry-run'], message: /msx\.yaml has no environment with runtime: kubernetes/, exit: 2 },
  { name: 'deploy: unknown environment', args: ['deploy', '--env', 'nope', '--dry-run'], message: /unknown environment "nope"/, exit: 3 },
  { name: 'deploy: a local environment', args: ['deploy', '--env', 'local', '--dry-run'], yaml: withService(svc('stock')) + STAGING, message: /environment "local" has runtime local; msx deploy needs runtime: kubernetes/, exit: 2 },
  { name: 'deploy: --timeout not a duration', args: ['deploy', '--env', 'staging', '--timeout', 'forever', '--dry-run'], yaml: withService(svc('stock')) + STAGING, message: /--timeout "forever" is not a duration/, exit: 2 },
  { name: 'deploy: bad --namespace', args: ['deploy', '--env', 'staging', '--namespace', 'Bad_NS', '--dry-run'], yaml: withService(svc('stock')) + STAGING, message: /namespace "Bad_NS" must be lower-case/, exit: 2 },
  { name: 'deploy: unknown flag', args: ['deploy', '--force'], message: /Nonexistent flag: --force/, exit: 2 },
  { name: 'demo: --timeout 0', args: ['demo', 'shop', '--timeout', '0'], message: /--timeout: Expected an integer greater than or equal to 1/, exit: 2 },
  { name: 'demo: a folder that is not empty', args: ['demo', '.'], message: /is not empty\n {2}next: pass an empty or new folder/, exit: 7 },
  { name: 'init: two folders', args: ['init', 'a', 'b'], message: /Unexpected argument: b/, exit: 2 },
  { name: 'init: an empty --name', args: ['init', 'sub', '--name', ''], message: /workspace name is empty/, exit: 2 },
  { name: 'init: a reserved --name', args: ['init', 'sub', '--name', 'msx', '--dry-run'], message: /workspace name "msx" is reserved/, exit: 2 },
  { name: 'new service: port above 65535', args: ['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--port', '70000'], message: /--port 70000 is out of range/, exit: 2 },
  { name: 'new service: one unknown among dependencies', args: ['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--depends-on', 'stock,ghost'], message: /--depends-on "ghost" is not a service/, exit: 2 },
  { name: 'new service: an event without a dot', args: ['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--publishes', 'order'], message: /event "order" must look like "order\.placed"/, exit: 2 },
  { name: 'traces: --since not a time', args: ['traces', '--since', 'yesterday'], message: /^error: --since "yesterday" is not a duration or a time: expected e\.g\. 30s, 10m/, exit: 2 },
  { name: 'traces: --limit 0', args: ['traces', '--limit', '0'], message: /--limit: Expected an integer greater than or equal to 1/, exit: 2 },
  { name: 'traces: --limit not a number', args: ['traces', '--limit', 'ten'], message: /--limit: Expected an integer/, exit: 2 },
  { name: 'traces: an unknown --service', args: ['traces', '--service', 'ghost'], message: /^error: unknown service "ghost" \(known: stock\)\n {2}next: name a service from msx\.yaml/, exit: 2 },
  { name: 'traces: unknown flag', args: ['traces', '--tail', '5'], message: /Nonexistent flag: --tail/, exit: 2 },
  { name: 'token: an unknown service', args: ['token', 'ghost'], message: /^error: unknown service "ghost" \(known: stock\)\n {2}next: name a service from msx\.yaml/, exit: 3 },
  { name: 'token: no key made yet', args: ['token', 'stock'], message: /^error: no service key yet: \.msx\/service-auth-key\.json is made by the first `msx up`\n {2}next: run `msx up`/, exit: 3 },
  { name: 'token: --ttl not a duration', args: ['token', 'stock', '--ttl', 'soon'], message: /^error: --ttl "soon" is not a duration/, exit: 2 },
  { name: 'token: --ttl past a day', args: ['token', 'stock', '--ttl', '25h'], message: /^error: --ttl "25h" must be between 1s and 24h/, exit: 2 },
  { name: 'token: no service named', args: ['token'], message: /Missing 1 required arg/, exit: 2 },
  { name: 'dashboard: --port 0', args: ['dashboard', '--port', '0'], message: /--port: Expected an integer greater than or equal to 1/, exit: 2 },
  { name: 'dashboard: --port not a number', args: ['dashboard', '--port', 'web'], message: /--port: Expected an integer/, exit: 2 },
  { name: 'new gateway: a route to an unknown service', args: ['new', 'gateway', 'edge', '--routes', 'stock,ghost', '--public'], message: /^error: --routes: unknown service "ghost" \(services: stock\)\n {2}next: route to the REST and gRPC services/, exit: 2 },
  { name: 'new gateway: a malformed --jwks-url', args: ['new', 'gateway', 'edge', '--routes', 'stock', '--jwks-url', 'keys.example/jwks'], message: /^error: --jwks-url: AUTH_JWKS_URL "keys\.example\/jwks" is not an http\(s\) URL/, exit: 2 },
  { name: 'new gateway: no key for its routes', args: ['new', 'gateway', 'edge', '--routes', 'stock'], message: /^error: the gateway needs a key to check tokens on its routes\n {2}next: pass --jwks-url URL or --public-key FILE/, exit: 2 },
  { name: 'new gateway: a --public-key file that is not there', args: ['new', 'gateway', 'edge', '--routes', 'stock', '--public-key', 'missing.pem'], message: /^error: --public-key missing\.pem: no such file/, exit: 3 },
  { name: 'new gateway: a --public-key file that is not a key', args: ['new', 'gateway', 'edge', '--routes', 'stock', '--public-key', 'msx.yaml'], message: /^error: --public-key msx\.yaml: is not a PEM public key/, exit: 2 },
  { name: 'new gateway: a --public-key that is a folder', args: ['new', 'gateway', 'edge', '--routes', 'stock', '--public-key', 'contexts'], message: /^error: --public-key contexts: is a folder, not a file\n {2}next: pass the PEM file/, exit: 2 },
  { name: 'new gateway: an empty --public-key', args: ['new', 'gateway', 'edge', '--routes', 'stock', '--public-key', ''], message: /^error: --public-key is empty\n {2}next: pass the PEM file/, exit: 2 },
  { name: 'new gateway: a private key as --public-key', args: ['new', 'gateway', 'edge', '--routes', 'stock', '--public-key', 'private.pem'], setup: privateKeyFile, message: /^error: --public-key private\.pem: is a private key: only its public half belongs in msx\.yaml.*\n {2}next: export the public half/, exit: 2 },
  { name: 'new service --expose on a gateway with no key', args: ['new', 'service', 'billing', '--kind', 'rest', '--context', 'ordering', '--expose'], yaml: PUBLIC_GATEWAY, message: /^error: --expose: gateway "edge" has no key to check tokens with, so \/billing would need one it cannot check\n {2}next: pass --public-route/, exit: 2 },
  { name: 'new service --expose on a routed path', args: ['new', 'service', 'billing', '--kind', 'rest', '--context', 'ordering', '--expose', '--public-route'], yaml: PUBLIC_GATEWAY.replace('/stock,', '/billing,'), message: /^error: --expose: gateway "edge" already routes \/billing to stock\n {2}next: choose another service name/, exit: 7 },
  { name: 'new service --expose under an overlapping path', args: ['new', 'service', 'shop', '--kind', 'rest', '--context', 'ordering', '--expose', '--public-route'], yaml: PUBLIC_GATEWAY.replace('/stock,', '/shop/stock,'), message: /^error: --expose: gateway "edge" routes \/shop\/stock, which overlaps \/shop, to stock/, exit: 7 },
  { name: 'new service --expose on a path the gateway serves', args: ['new', 'service', 'health', '--kind', 'rest', '--context', 'ordering', '--expose', '--public-route'], yaml: PUBLIC_GATEWAY, message: /^error: --expose: route path "\/health" overlaps \/health, which the gateway serves itself/, exit: 2 },
  { name: 'new gateway: a reserved name', args: ['new', 'gateway', 'gateway', '--public'], message: /gateway name "gateway" is reserved/, exit: 2 },
  { name: 'new service --expose with no gateway', args: ['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--expose'], message: /^error: --expose: this workspace has no gateway\n {2}next: make one first: msx new gateway edge/, exit: 2 },
  { name: 'new service --expose of a consumer', args: ['new', 'service', 'mailer', '--kind', 'consumer', '--context', 'mail', '--subscribes', 'order.placed', '--expose'], message: /^error: --expose is for REST and gRPC services: a consumer serves no API to route to/, exit: 2 },
  {
    name: 'up: a service key msx did not write',
    args: ['up', '--detach'],
    setup: (dir) => {
      stockFolder(dir);
      mkdirSync(join(dir, '.msx'), { recursive: true });
      writeFileSync(join(dir, '.msx', 'service-auth-key.json'), '{"kty":"oct"}\n');
    },
    message: /^error: \/.*\/\.msx\/service-auth-key\.json is not a service key msx wrote\n {2}next: remove it and run msx again/,
    exit: 2,
  },
];

/** Where a file stands where a folder must be, or a folder where msx.yaml must be a file. */
export const filesystemRows: BadInput[] = [
  { name: 'init: DIR is a file', args: ['init', 'notes.txt'], setup: file('notes.txt'), message: /^error: \/.*\/notes\.txt is a file; a workspace needs a folder\n {2}next: choose another folder for the workspace, or move that file away\n$/, exit: 7 },
  { name: 'init: a parent of DIR is a file', args: ['init', 'notes.txt/shop'], setup: file('notes.txt'), message: /notes\.txt is a file; so \/.*\/notes\.txt\/shop cannot be a folder/, exit: 7 },
  { name: 'init --dry-run: DIR is a file', args: ['init', 'notes.txt', '--dry-run'], setup: file('notes.txt'), message: /notes\.txt is a file; a workspace needs a folder/, exit: 7 },
  { name: 'demo: DIR is a file', args: ['demo', 'notes.txt'], setup: file('notes.txt'), message: /notes\.txt is a file; a workspace needs a folder/, exit: 7 },
  ...(
    [
      ['new service', ['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering']],
      ['up', ['up', '--detach']],
      ['down', ['down']],
      ['ps', ['ps']],
      ['logs', ['logs']],
      ['logs --trace-id', ['logs', '--trace-id', '4bf92f3577b34da6a3ce929b0e0e4736']],
      ['deploy', ['deploy', '--dry-run']],
    ] as const
  ).map(([command, args]) => ({
    name: `${command}: msx.yaml is a folder`,
    args: [...args],
    setup: msxYamlFolder,
    message: /^error: \/.*\/msx\.yaml is a folder, not a file\n {2}next: msx\.yaml must be the workspace file: rename or remove that folder\n$/,
    exit: 2,
  })),
  {
    name: 'up --runtime docker --watch: a Dockerfile with no dev stage',
    args: ['up', '--runtime', 'docker', '--watch'],
    setup: (dir) => {
      stockFolder(dir);
      writeFileSync(join(dir, 'contexts', 'warehouse', 'stock', 'Dockerfile'), 'FROM node:20-slim\nCMD ["node", "dist/main.js"]\n');
    },
    message: /^error: the Dockerfile of "stock" has no "dev" stage, which msx up --runtime docker --watch runs\n {2}next: add one that runs the sources/,
    exit: 2,
  },
];
