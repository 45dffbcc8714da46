import chalk from 'chalk';
import type { RolloutProgress } from '../deploy/rollout.js';
import { progressCounts } from './rollout-counts.js';
import type { DeployResult, RolloutFailure } from '../services/deploy.js';

const ACTION_COLOUR = { created: chalk.green, changed: chalk.yellow, unchanged: chalk.dim } as const;

export function renderDeployNote(message: string): string {
  return `${chalk.bold('msx')} ${message}`;
}

/** One line per change of a Deployment's rollout, as `msx up` shows state changes. */
export function renderRolloutProgress(p: RolloutProgress): string {
  const state = p.done ? chalk.green('rolled out'.padEnd(12)) : chalk.cyan('rolling out'.padEnd(12));
  return `${chalk.bold('msx')} ${p.deployment.padEnd(16)} ${state}${chalk.dim(progressCounts(p))}`;
}

/** What went where: the YAML (--dry-run), the files (--out), or each object and the summary line. */
export function renderDeployResult(result: DeployResult): string {
  switch (result.mode) {
    case 'dry-run':
      return result.yaml ?? '';
    case 'out':
      return renderOut(result);
    case 'apply':
      return renderApplied(result);
  }
}

function renderOut(result: DeployResult): string {
  const replaced = new Set(result.replaced ?? []);
  const unchanged = new Set(result.unchanged ?? []);
  const removed = result.removed ?? [];
  const action = (file: string) =>
    replaced.has(file) ? chalk.yellow('replace  ') : unchanged.has(file) ? chalk.dim('unchanged') : chalk.green('create   ');
  return [
    `Wrote ${result.files?.length ?? 0} manifests for environment ${result.environment} to ${result.outDir}` +
      (removed.length > 0 ? `, removed ${removed.length} an earlier --out wrote` : ''),
    ...(result.files ?? []).map((file) => `  ${action(file)} ${file}`),
    ...removed.map((file) => `  ${chalk.red('remove   ')} ${file}`),
    '',
    `Apply them with: kubectl apply -f ${result.outDir}`,
    ...removedObjectsHint(result.namespace, removed),
  ].join('\n');
}

/** kubectl apply never deletes: the objects of removed files stay in a cluster until deleted (msx deploy prunes them). */
function removedObjectsHint(namespace: string, removed: readonly string[]): string[] {
  const refs = removed
    .map((file) => /^\d\d-([a-z]+)-(.+)\.yaml$/.exec(file))
    .filter((match) => match && match[1] !== 'namespace')
    .map((match) => `${match![1]}/${match![2]}`);
  if (refs.length === 0) return [];
  return [`Objects of the removed files stay in the cluster until deleted: kubectl -n ${namespace} delete ${refs.join(' ')}`];
}

function renderApplied(result: DeployResult): string {
  const lines = result.objects.map((o) => `  ${ACTION_COLOUR[o.action](o.action.padEnd(9))} ${o.kind}/${o.name}`);
  lines.push(...result.pruned.map((ref) => `  ${chalk.red('pruned'.padEnd(9))} ${ref}`));
  const count = (action: string) => result.objects.filter((o) => o.action === action).length;
  const summary = `${count('created')} created, ${count('changed')} changed, ${count('unchanged')} unchanged, ${result.pruned.length} pruned`;
  const head = `Deployed environment ${result.environment} to namespace ${result.namespace} (context ${result.context})`;
  return [head, ...lines, summary].join('\n');
}

/** Why each failed rollout failed: the pod's state, its events, the failing probe, its last log lines. */
export function renderRolloutFailures(failures: readonly RolloutFailure[]): string {
  return failures.flatMap(renderFailure).join('\n');
}

function renderFailure({ outcome, diagnosis, rollback }: RolloutFailure): string[] {
  const lines = [`${chalk.red('rollout failed')} ${chalk.bold(outcome.deployment)}: ${outcome.reason ?? ''}`];
  if (diagnosis) {
    lines.push(`  pod ${diagnosis.pod}: ${diagnosis.state}`);
    if (diagnosis.failingProbe) lines.push(`  failing probe: ${diagnosis.failingProbe}`);
    if (diagnosis.events.length > 0) lines.push('  events:', ...diagnosis.events.map((e) => `    ${e}`));
    lines.push(diagnosis.logs.length > 0 ? '  last log lines:' : '  last log lines: (none)', ...diagnosis.logs.map((l) => `    | ${l}`));
  }
  if (rollback?.restored) {
    lines.push(`  rolled back to revision ${rollback.revision}${rollback.ready ? ', which is ready again' : ', which is not ready either'}`);
  } else if (rollback) {
    lines.push(`  not rolled back: ${rollback.reason}`);
  }
  return lines;
}
