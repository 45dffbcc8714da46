#!/usr/bin/env node
// Usage: deploy-render.mjs SERVICES RUNS
// Times rendering and validating the manifests of a workspace with SERVICES
// services, in one process, from the built dist/: the first run (which imports
// the kubernetes-models schemas) and the median of RUNS more.
import { performance } from 'node:perf_hooks';

const [services = 50, runs = 20] = process.argv.slice(2).map(Number);
const kinds = ['rest', 'grpc', 'consumer'];
const entries = Array.from({ length: services }, (_, i) => {
  const kind = kinds[i % 3];
  const deps = i > 0 ? `    dependsOn: [svc${i - 1}]\n` : '';
  const events = kind === 'consumer' ? '    subscribes: [order.placed]\n' : '';
  return `  svc${i}:\n    kind: ${kind}\n    context: c${i % 5}\n    path: contexts/c/svc${i}\n    port: ${3000 + i}\n${deps}${events}    config: { TIMEOUT_MS: ${i}, FEATURE: on }\n    secrets: [API_KEY]\n`;
});
const yaml = `version: 1\nname: bench\nservices:\n${entries.join('')}environments:\n  staging: { runtime: kubernetes, registry: r.example.com/bench, namespace: bench, replicas: 2 }\n`;

const t0 = performance.now();
const { parseWorkspace } = await import('../dist/models/load-workspace.js');
const { renderManifests } = await import('../dist/deploy/manifests/render-manifests.js');
const { manifestProblems } = await import('../dist/deploy/validate.js');
const { document: _doc, ...workspace } = parseWorkspace(yaml, '/bench');
const images = Object.fromEntries(workspace.services.map((s) => [s.name, `r.example.com/bench/${s.name}:0123456789ab`]));
const target = { workspace, environment: 'staging', namespace: 'bench', replicas: 2, images, createNamespace: true };
const loaded = performance.now();

async function once() {
  const start = performance.now();
  const manifests = renderManifests(target);
  const problems = await manifestProblems(manifests);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { ms: performance.now() - start, count: manifests.length };
}

const first = await once();
const times = [];
for (let i = 0; i < runs; i += 1) times.push((await once()).ms);
times.sort((a, b) => a - b);
const fmt = (ms) => `${ms.toFixed(1).padStart(7)} ms`;
console.log(`render+validate ${services} services (${first.count} objects)`);
console.log(`  msx modules + msx.yaml parse ${fmt(loaded - t0)}`);
console.log(`  first run (schema imports)   ${fmt(first.ms)}`);
console.log(`  warm median of ${String(runs).padEnd(13)}${fmt(times[Math.floor(times.length / 2)])}   min ${fmt(times[0])}`);
console.log(`  total from a cold process    ${fmt(loaded - t0 + first.ms)}   (goal: under 1000 ms)`);
