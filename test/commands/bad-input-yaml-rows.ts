import { generateKeyPairSync } from 'node:crypto';
import { svc, withService, type BadInput } from './bad-input-rows.js';

// Each msx.yaml shape is read by a different command in turn, so every command
// that reads the workspace (through the loader or its cache) is seen refusing one.
const COMMANDS: string[][] = [['ps'], ['up', '--detach'], ['down'], ['logs'], ['deploy', '--dry-run'], ['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering']];

const gateway = (extra: string) => svc('edge', extra, 3009).replace('kind: rest', 'kind: gateway');
// A private key where the gateway's public key goes: createPublicKey alone would take it.
const PRIVATE_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const top = (body: string) => `version: 1\nname: shop\n${body}`;
const env = (body: string) => top(`environments:\n  staging:\n    runtime: kubernetes\n${body}`);

const shapes: Array<[name: string, yaml: string, message: RegExp]> = [
  ['empty', '', /^error: msx\.yaml is empty\n {2}next: restore it/],
  ['only a comment', '# nothing yet\n', /^error: msx\.yaml is empty/],
  ['a list', '- a\n- b\n', /msx\.yaml:1:1 \(root\): Invalid input: expected object, received array/],
  ['a plain string', 'hello\n', /msx\.yaml:1:1 \(root\): Invalid input: expected object, received string/],
  ['version 2', 'version: 2\nname: shop\n', /msx\.yaml:1:10 version: Invalid input: expected 1/],
  ['version as a string', 'version: "1"\nname: shop\n', /msx\.yaml:1:10 version: Invalid input: expected 1/],
  ['no name', 'version: 1\n', /msx\.yaml:1:1 name: is required/],
  ['workspace name in upper case', 'version: 1\nname: Shop\n', /msx\.yaml:2:7 name: workspace name "Shop" has upper case/],
  ['services a list', top('services: [a, b]\n'), /msx\.yaml:3:11 services: Invalid input: expected record, received array/],
  ['a service as a string', withService('  stock: rest\n'), /msx\.yaml:4:10 services\.stock: Invalid input: expected object, received string/],
  ['a service with no body', withService('  stock:\n'), /msx\.yaml:4:9 services\.stock: Invalid input: expected object, received null/],
  ['duplicate ports', withService(svc('a') + svc('b')), /msx\.yaml:13:11 services\.b\.port: port 3000 is already used by "a"/],
  ['privileged port', withService(svc('a', '', 80)), /msx\.yaml:8:11 services\.a\.port: must be 1024-65535/],
  ['fractional port', withService(svc('a', '', 3000.5)), /msx\.yaml:8:11 services\.a\.port: Invalid input: expected int/],
  ['depends on itself', withService(svc('a', '    dependsOn: [a]\n')), /msx\.yaml:9:17 services\.a\.dependsOn\.0: "a" cannot depend on itself/],
  ['dependsOn a string', withService(svc('a', '    dependsOn: b\n')), /msx\.yaml:9:16 services\.a\.dependsOn: Invalid input: expected array, received string/],
  ['a cycle of three', withService(svc('a', '    dependsOn: [b]\n') + svc('b', '    dependsOn: [c]\n', 3001) + svc('c', '    dependsOn: [a]\n', 3002)), /cycle: a → b → c → a\n {2}next: remove one of these dependsOn entries/],
  ['config key not an env name', withService(svc('a', '    config:\n      bad-key: 1\n')), /msx\.yaml:10:7 services\.a\.config\.bad-key: "bad-key" must be an env var name/],
  ['config value a mapping', withService(svc('a', '    config:\n      TIMEOUT: { ms: 1 }\n')), /msx\.yaml:10:16 services\.a\.config\.TIMEOUT: Invalid input/],
  ['secret not an env name', withService(svc('a', '    secrets: [db_password]\n')), /msx\.yaml:9:15 services\.a\.secrets\.0: must be an env var name/],
  ['event name in camel case', withService(svc('a', '    publishes: [OrderPlaced]\n')), /msx\.yaml:9:17 services\.a\.publishes\.0: event "OrderPlaced" must look like/],
  ['unknown database', withService(svc('a', '    db: mysql\n')), /msx\.yaml:9:9 services\.a\.db: Invalid option: expected one of "none"\|"postgres"/],
  ['absolute service path', withService(svc('a').replace('path: contexts/c/a', 'path: /etc')), /msx\.yaml:7:11 services\.a\.path: "\/etc" must be a relative path inside the workspace/],
  ['service path outside', withService(svc('a').replace('path: contexts/c/a', 'path: ../outside')), /services\.a\.path: "\.\.\/outside" must be a relative path inside the workspace/],
  ['context in upper case', withService(svc('a').replace('context: c', 'context: Ordering')), /msx\.yaml:6:14 services\.a\.context: context "Ordering" has upper case/],
  ['service name in upper case', withService(svc('Orders')), /msx\.yaml:4:3 services\.Orders: service name "Orders" has upper case/],
  ['service named like infra', withService(svc('rabbitmq')), /msx\.yaml:4:3 services\.rabbitmq: service name "rabbitmq" is reserved/],
  ['no kind', withService(svc('a').replace('    kind: rest\n', '')), /services\.a\.kind: Invalid option: expected one of "rest"\|"grpc"\|"consumer"/],
  ['unknown infra', top('infra:\n  mongodb: {}\n'), /msx\.yaml:4:3 infra\.mongodb: unknown key "mongodb"/],
  ['unknown infra key', top('infra:\n  rabbitmq:\n    host: x\n'), /msx\.yaml:5:5 infra\.rabbitmq\.host: unknown key "host"/],
  ['unknown runtime', top('environments:\n  staging:\n    runtime: nomad\n'), /msx\.yaml:5:14 environments\.staging\.runtime: Invalid option/],
  ['namespace not a DNS label', env('    namespace: My_NS\n'), /msx\.yaml:6:16 environments\.staging\.namespace: namespace "My_NS" has upper case/],
  ['negative replicas', env('    replicas: -1\n'), /msx\.yaml:6:15 environments\.staging\.replicas: Too small/],
  ['unknown environment key', env('    region: eu\n'), /msx\.yaml:6:5 environments\.staging\.region: unknown key "region"/],
  ['environment config key not an env name', env('    config:\n      stock:\n        lower: 1\n'), /msx\.yaml:8:9 environments\.staging\.config\.stock\.lower: "lower" must be an env var name/],
  ['probe path without a slash', withService(svc('a', '    probes:\n      readiness:\n        path: ready\n')), /services\.a\.probes\.readiness\.path: Invalid string: must start with "\/"/],
  ['unknown resource', withService(svc('a', '    resources:\n      gpu: "1"\n')), /msx\.yaml:10:7 services\.a\.resources\.gpu: unknown key "gpu"/],
  ['tab indentation', top('services:\n\tstock: {}\n'), /msx\.yaml:4:1 \(yaml\): Tabs are not allowed as indentation\n {2}next: fix the YAML syntax/],
  ['unclosed quote', 'version: 1\nname: "shop\n', /msx\.yaml:3:1 \(yaml\): Missing closing "quote/],
  ['a key twice', 'version: 1\nname: shop\nname: shop2\n', /msx\.yaml:3:1 \(yaml\): Map keys must be unique/],
  ['an alias to no anchor', 'version: 1\nname: *nope\n', /msx\.yaml:\d+:\d+ \(yaml\): Unresolved alias .*: nope\n {2}next: fix the YAML/],
  ['otel endpoint not a URL', env('    otel:\n      endpoint: jaeger-4318\n'), /msx\.yaml:7:17 environments\.staging\.otel\.endpoint: "jaeger-4318" must be an http:\/\/ or https:\/\/ URL/],
  ['otel endpoint of another scheme', env('    otel:\n      endpoint: grpc://collector:4317\n'), /msx\.yaml:7:17 environments\.staging\.otel\.endpoint: "grpc:\/\/collector:4317" must be an http/],
  ['unknown otel key', env('    otel:\n      protocol: grpc\n'), /msx\.yaml:7:7 environments\.staging\.otel\.protocol: unknown key "protocol"/],
  ['a gateway route to an unknown service', withService(svc('a') + gateway('    routes:\n      - { path: /ghosts, service: ghost, public: true }\n')), /msx\.yaml:15:35 services\.edge\.routes\.0\.service: unknown service "ghost" \(services: a\)/],
  ['overlapping gateway prefixes', withService(svc('a') + svc('b', '', 3001) + gateway('    routes:\n      - { path: /shop, service: a, public: true }\n      - { path: /shop/b, service: b, public: true }\n')), /msx\.yaml:21:17 services\.edge\.routes\.1\.path: route path "\/shop\/b" overlaps "\/shop" \(to a\)/],
  ['a route path without its slash', withService(svc('a') + gateway('    routes:\n      - { path: orders/, service: a, public: true }\n')), /msx\.yaml:15:17 services\.edge\.routes\.0\.path: route path "orders\/" must look like \/orders/],
  ['a gateway route to an event consumer', withService(svc('a').replace('kind: rest', 'kind: consumer\n    subscribes: [order.placed]') + gateway('    routes:\n      - { path: /a, service: a, public: true }\n')), /services\.edge\.routes\.0\.service: "a" is an event consumer: it serves no API to route to/],
  ['routes on a rest service', withService(svc('a', '    routes:\n      - { path: /x, service: a }\n')), /msx\.yaml:9:5 services\.a\.routes: routes are for kind gateway, not rest/],
  ['a malformed AUTH_JWKS_URL', withService(svc('a') + gateway('    config:\n      AUTH_JWKS_URL: ftp://keys\n    routes:\n      - { path: /a, service: a }\n')), /msx\.yaml:15:22 services\.edge\.config\.AUTH_JWKS_URL: AUTH_JWKS_URL "ftp:\/\/keys" is not an http\(s\) URL/],
  ['a gateway with no key for its routes', withService(svc('a') + gateway('    routes:\n      - { path: /a, service: a }\n')), /msx\.yaml:15:9 services\.edge\.routes\.0: gateway "edge" has routes that need a token but no key to check it/],
  ['a route timeout under a millisecond', withService(svc('a') + gateway('    routes:\n      - { path: /a, service: a, public: true, timeout: 0.5ms }\n')), /msx\.yaml:15:56 services\.edge\.routes\.0\.timeout: "0\.5ms" is not a whole number of milliseconds/],
  ['a private key as AUTH_PUBLIC_KEY', withService(svc('a') + gateway(`    config:\n      AUTH_PUBLIC_KEY: |\n${PRIVATE_PEM.trim().split('\n').map((line) => `        ${line}`).join('\n')}\n    routes:\n      - { path: /a, service: a }\n`)), /msx\.yaml:15:24 services\.edge\.config\.AUTH_PUBLIC_KEY: AUTH_PUBLIC_KEY is a private key: only its public half belongs in msx\.yaml/],
  ['a route timeout that is not a duration', withService(svc('a') + gateway('    routes:\n      - { path: /a, service: a, public: true, timeout: soon }\n')), /msx\.yaml:15:56 services\.edge\.routes\.0\.timeout: "soon" is not a duration/],
];

export const yamlRows: BadInput[] = shapes.map(([name, yaml, message], i) => {
  const args = COMMANDS[i % COMMANDS.length];
  return { name: `msx.yaml ${name} (${args.slice(0, 2).join(' ')})`, args, yaml, message, exit: 2 };
});
