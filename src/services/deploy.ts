import { resolve } from 'node:path';
import { readWorkspace } from '../state/workspace-cache.js';
import type { WorkspaceData } from '../models/workspace.js';
import { applyManifests, type AppliedObject } from '../deploy/apply.js';
import { diagnoseDeployment, type PodDiagnosis } from '../deploy/diagnose.js';
import { serviceImages, type ServiceImage } from '../deploy/images.js';
import { connectKube } from '../kube/connect.js';
import type { KubeClient } from '../kube/kube-client.js';
import { manifestsYaml, writeManifestFiles } from '../deploy/manifest-files.js';
import { configMapName } from '../deploy/manifests/config-map.js';
import { renderManifests } from '../deploy/manifests/render-manifests.js';
import type { DeployTarget, IConfigMap, IDeployment, Manifest } from '../deploy/manifests/types.js';
import { planDeploy, type DeployPlan, type PlanFlags } from '../deploy/plan.js';
import { preflight } from '../deploy/preflight.js';
import { ensureServiceAuthSecret, previewServiceAuth } from '../deploy/service-auth.js';
import { ensureServiceKey, readServiceKey } from '../state/service-key.js';
import { pruneUndeclared, type Declared } from '../deploy/prune.js';
import { serviceAuthSecretName, usesSecret, withServiceAuthHash } from '../deploy/manifests/service-auth-secret.js';
import { buildAndPushImages } from '../deploy/registry/build-push.js';
import { rollbackDeployment, type RollbackResult } from '../deploy/rollback.js';
import { waitForRollouts, type RolloutOutcome, type RolloutProgress } from '../deploy/rollout.js';
import { assertValidManifests } from '../deploy/validate.js';

export interface DeployOptions extends PlanFlags {
  cwd: string;
  dryRun: boolean;
  outDir?: string;
  build: boolean;
  prune: boolean;
  rollback: boolean;
  createNamespace: boolean;
  forceConflicts: boolean;
  /** How often rollouts are polled. */
  pollMs?: number;
}

/** How a deploy reports while it runs; src/output renders these. */
export interface DeployEvents {
  note(message: string): void;
  progress(progress: RolloutProgress): void;
}

export interface RolloutFailure {
  outcome: RolloutOutcome;
  diagnosis?: PodDiagnosis;
  rollback?: RollbackResult & { ready?: boolean };
}

export interface DeployResult {
  mode: 'dry-run' | 'out' | 'apply';
  environment: string;
  namespace: string;
  context?: string;
  images: Array<Pick<ServiceImage, 'service' | 'image'>>;
  yaml?: string;
  outDir?: string;
  /** --out: every file written (created or replaced), and those an earlier --out wrote that were removed. */
  files?: string[];
  replaced?: string[];
  unchanged?: string[];
  removed?: string[];
  objects: Array<Omit<AppliedObject, 'previous'>>;
  pruned: string[];
  rollouts: RolloutOutcome[];
  failures: RolloutFailure[];
}

/**
 * `msx deploy`: manifests rendered from msx.yaml and validated; then printed
 * (--dry-run), written (--out), or built, applied, waited for and pruned.
 */
export async function deploy(options: DeployOptions, events: DeployEvents): Promise<DeployResult> {
  const workspace = await readWorkspace(options.cwd);
  const plan = planDeploy(workspace, options);
  const images = serviceImages(workspace, plan.registry);
  const target = targetOf(workspace, plan, images, options.createNamespace);
  const manifests = renderManifests(target);
  await assertValidManifests(manifests);
  const result: DeployResult = {
    mode: options.dryRun ? 'dry-run' : options.outDir ? 'out' : 'apply',
    environment: plan.environment,
    namespace: plan.namespace,
    images: images.map(({ service, image }) => ({ service, image })),
    objects: [],
    pruned: [],
    rollouts: [],
    failures: [],
  };
  if (options.dryRun) {
    // What apply would send, the pods' service-auth hash included; the cluster is not asked.
    const preview = previewServiceAuth(target, manifests, readServiceKey(workspace.root, workspace.name));
    if (preview.note) events.note(preview.note);
    return { ...result, yaml: await manifestsYaml(preview.manifests) };
  }
  if (options.outDir) {
    const outDir = resolve(options.cwd, options.outDir);
    const { created, replaced, unchanged, removed } = await writeManifestFiles(outDir, manifests);
    return { ...result, outDir, files: [...created, ...replaced, ...unchanged].sort(), replaced, unchanged, removed };
  }
  return applyToCluster({ options, plan, target, images, manifests, events, result });
}

function targetOf(workspace: WorkspaceData, plan: DeployPlan, images: ServiceImage[], createNamespace: boolean): DeployTarget {
  return {
    workspace,
    environment: plan.environment,
    namespace: plan.namespace,
    replicas: plan.replicas,
    images: Object.fromEntries(images.map((i) => [i.service, i.image])),
    createNamespace,
    host: workspace.environments[plan.environment]?.host,
  };
}

const SECRET_NOTE = {
  created: 'created from .msx/service-auth-key.json',
  referenced: 'found, referenced as it is',
  unchecked: 'not checked (forbidden by RBAC); the pods reference it',
} as const;

interface ApplyInput {
  options: DeployOptions;
  plan: DeployPlan;
  target: DeployTarget;
  images: ServiceImage[];
  manifests: Manifest[];
  events: DeployEvents;
  result: DeployResult;
}

async function applyToCluster(input: ApplyInput): Promise<DeployResult> {
  const { options, plan, events } = input;
  const client = await connectKube({ context: plan.kubeContext });
  const checked = await preflight(client, input.target, options.forceConflicts);
  events.note(`context ${client.context} (${client.server}), namespace ${plan.namespace}`);
  for (const line of checked.skipped) events.note(line);
  const { manifests, declared } = await withServiceAuth(client, input);
  input = { ...input, manifests };
  if (options.build) {
    await buildAndPushImages(input.images, { push: true }, (service, message) => events.note(`${service}: ${message}`));
  }
  // The Namespace was applied by preflight (--create-namespace), before the secret check.
  const rest = manifests.filter((m) => m.kind !== 'Namespace');
  const applied = [...(checked.namespace ? [checked.namespace] : []), ...(await applyManifests(client, rest, options.forceConflicts))];
  const deployments = manifests.filter((m): m is IDeployment => m.kind === 'Deployment');
  const wait = { timeoutMs: plan.timeoutMs, pollMs: options.pollMs ?? 1000, onProgress: events.progress };
  const rollouts = await waitForRollouts(client, plan.namespace, deployments.map((d) => d.metadata!.name!), wait);
  const failed = rollouts.filter((r) => !r.ok);
  const failures = await Promise.all(failed.map((outcome) => explainFailure(client, input, applied, outcome)));
  let pruned: string[] = [];
  if (failed.length > 0 && options.prune) events.note('prune skipped: a rollout failed');
  else if (options.prune) {
    const result = await pruneUndeclared(client, plan.namespace, input.target.workspace.name, declared);
    pruned = result.pruned;
    if (result.skipped.length > 0) events.note(`prune: not allowed to list ${result.skipped.join(', ')} here; those are left as they are`);
  }
  const objects = applied.map(({ previous: _previous, ...object }) => object);
  return { ...input.result, context: client.context, objects, pruned, rollouts, failures };
}

/**
 * The service-auth Secret, when a Deployment uses it: ensured (made from the local key if the
 * namespace has none), its keys' hash on the pods that use it (a new key rolls them), and
 * declared, so prune keeps it. When none does, it is not made, and prune removes one msx made.
 */
async function withServiceAuth(client: KubeClient, input: ApplyInput): Promise<{ manifests: Manifest[]; declared: Declared[] }> {
  const { workspace } = input.target;
  const name = serviceAuthSecretName(workspace.name);
  if (!input.manifests.some((m) => usesSecret(m, name))) return { manifests: input.manifests, declared: input.manifests };
  const secret = await ensureServiceAuthSecret(client, input.target, () => ensureServiceKey(workspace.root, workspace.name), input.options.forceConflicts);
  input.events.note(`service tokens: secret ${secret.name} ${SECRET_NOTE[secret.action]}`);
  const manifests = secret.hash ? withServiceAuthHash(input.manifests, name, secret.hash) : input.manifests;
  return { manifests, declared: [...manifests, { kind: 'Secret', metadata: { name } }] };
}

async function explainFailure(client: KubeClient, input: ApplyInput, applied: AppliedObject[], outcome: RolloutOutcome): Promise<RolloutFailure> {
  const { plan, manifests, options } = input;
  const name = outcome.deployment;
  const live = await client.read({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: plan.namespace });
  const diagnosis = live ? await diagnoseDeployment(client, live) : undefined;
  if (!options.rollback) return { outcome, diagnosis };
  const desired = manifests.find((m): m is IDeployment => m.kind === 'Deployment' && m.metadata?.name === name)!;
  const configMap = manifests.find((m): m is IConfigMap => m.kind === 'ConfigMap' && m.metadata?.name === configMapName({ name }));
  const previous = applied.find((a) => a.kind === 'ConfigMap' && a.name === configMap?.metadata?.name)?.previous;
  const rollback = await rollbackDeployment(client, { desired, configMap: configMap && { desired: configMap, previous }, force: options.forceConflicts });
  if (!rollback.restored) return { outcome, diagnosis, rollback };
  const wait = { timeoutMs: plan.timeoutMs, pollMs: options.pollMs ?? 1000, onProgress: input.events.progress };
  const [after] = await waitForRollouts(client, plan.namespace, [name], wait);
  return { outcome, diagnosis, rollback: { ...rollback, ready: after.ok } };
}
