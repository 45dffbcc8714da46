import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { ExitCode, UserError } from '../errors.js';
import { renderDeployNote, renderDeployResult, renderRolloutFailures, renderRolloutProgress } from '../output/render-deploy.js';
import { deploy, type DeployResult } from '../services/deploy.js';

export default class Deploy extends BaseCommand {
  static override summary = 'Deploy every service to Kubernetes: build and push images, apply, wait for the rollout, prune.';
  static override description =
    'Renders a Deployment (probes from the kind, restrictive securityContext), a Service and a ConfigMap per service from msx.yaml and the environment, validates them against the Kubernetes schemas, and applies them with server-side apply (field manager msx). Waits for each rollout; on failure shows the pod\'s events, failing probe and last log lines, and exits 8.';
  static override examples = [
    '<%= config.bin %> deploy --env staging',
    '<%= config.bin %> deploy --env staging --dry-run',
    '<%= config.bin %> deploy --env staging --out k8s/',
    '<%= config.bin %> deploy --env staging --no-build --timeout 2m --rollback',
  ];
  static override enableJsonFlag = true;

  static override flags = {
    env: Flags.string({ description: 'msx.yaml environment (default: the only one with runtime: kubernetes)' }),
    context: Flags.string({ description: 'kube context (default: the environment\'s kubeContext, else current-context)' }),
    namespace: Flags.string({ description: 'namespace (default: the environment\'s namespace, else "default")' }),
    'dry-run': Flags.boolean({ description: 'print the manifests as YAML; touch no cluster and no registry' }),
    out: Flags.string({
      description: 'write one manifest file per object to DIR (for kubectl apply -f DIR); run again to regenerate: msx replaces only the files it wrote there (listed in DIR/.msx-manifests)',
      helpValue: 'DIR',
    }),
    build: Flags.boolean({ description: 'build and push images (--no-build deploys images already pushed)', default: true, allowNo: true }),
    timeout: Flags.string({ description: 'how long the rollout may take: 90s, 5m, 1h', default: '5m' }),
    prune: Flags.boolean({ description: 'delete objects msx deployed that msx.yaml no longer declares', default: true, allowNo: true }),
    rollback: Flags.boolean({ description: 'on a failed rollout, restore the previous revision' }),
    'create-namespace': Flags.boolean({ description: 'create the namespace if it does not exist (before the secrets are checked)' }),
    'force-conflicts': Flags.boolean({ description: 'take over fields another field manager owns (kubectl --force-conflicts)' }),
  };

  async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy);
    const quiet = this.jsonEnabled();
    const result = await deploy(
      {
        cwd: process.cwd(),
        env: flags.env,
        context: flags.context,
        namespace: flags.namespace,
        timeout: flags.timeout,
        dryRun: flags['dry-run'],
        outDir: flags.out,
        build: flags.build,
        prune: flags.prune,
        rollback: flags.rollback,
        createNamespace: flags['create-namespace'],
        forceConflicts: flags['force-conflicts'],
      },
      {
        note: (message) => quiet || process.stderr.write(`${renderDeployNote(message)}\n`),
        progress: (progress) => quiet || process.stderr.write(`${renderRolloutProgress(progress)}\n`),
      },
    );
    if (quiet) {
      // One JSON document either way; a failed rollout still exits 8.
      if (result.failures.length > 0) process.exitCode = ExitCode.rolloutFailed;
      return result;
    }
    if (result.mode === 'dry-run') process.stdout.write(renderDeployResult(result));
    else this.log(renderDeployResult(result));
    if (result.failures.length > 0) {
      process.stderr.write(`${renderRolloutFailures(result.failures)}\n`);
      throw rolloutError(result);
    }
    return result;
  }
}

function rolloutError(result: DeployResult): UserError {
  const names = result.failures.map((f) => f.outcome.deployment).join(', ');
  const rolledBack = result.failures.every((f) => f.rollback?.restored);
  return new UserError(`rollout failed: ${names}${rolledBack ? ' (rolled back)' : ''}`, {
    hint: rolledBack ? 'fix the cause shown above and deploy again' : 'fix the cause shown above; --rollback restores the previous revision on failure',
    exit: 'rolloutFailed',
  });
}
