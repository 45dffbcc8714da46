import type { Manifest } from './manifests/types.js';
import { OUT_LIST, replaceOutDir, type OutDirResult } from './out-dir.js';

// Shared objects (a Deployment's labels on its pod template) are written out, not as YAML anchors.
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** kubectl apply -f DIR applies files in name order: the Namespace must come before what lives in it. */
const ORDER: Record<Manifest['kind'], string> = { Namespace: '00', ConfigMap: '10', Service: '20', Deployment: '30', Ingress: '40' };

/** Every name manifestFileName makes, and nothing else: all msx may ever replace or remove in an --out folder. */
const OWN_NAME = /^\d\d-(namespace|configmap|service|deployment|ingress)-[a-z0-9][a-z0-9.-]*\.yaml$/;

/** For whoever opens a file: it is generated, and the next --out replaces it. */
const HEADER = `# Written by msx deploy --out from msx.yaml; the next --out into this folder replaces it (see ${OUT_LIST}).\n`;

/** `10-configmap-orders-config.yaml` */
export function manifestFileName(manifest: Manifest): string {
  return `${ORDER[manifest.kind]}-${manifest.kind.toLowerCase()}-${manifest.metadata?.name}.yaml`;
}

/** One YAML stream, documents separated by `---`, as `kubectl apply -f -` reads it. */
export async function manifestsYaml(manifests: readonly Manifest[]): Promise<string> {
  const { stringify } = await import('yaml');
  return manifests.map((manifest) => `---\n${stringify(manifest, YAML_OPTIONS)}`).join('');
}

/**
 * One file per object under `dir`, all or nothing. Re-running into the same
 * folder is the GitOps loop: the files an earlier --out wrote are replaced,
 * those of a service no longer in msx.yaml removed, and any other file there
 * (a kustomization.yaml, a README) kept.
 */
export async function writeManifestFiles(dir: string, manifests: readonly Manifest[]): Promise<OutDirResult> {
  const { stringify } = await import('yaml');
  const files = manifests.map((manifest) => ({ name: manifestFileName(manifest), content: HEADER + stringify(manifest, YAML_OPTIONS) }));
  return replaceOutDir(dir, files, (name) => OWN_NAME.test(name));
}
