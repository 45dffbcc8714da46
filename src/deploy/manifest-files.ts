import { FileTree } from '../files/file-tree.js';
import type { Manifest } from './manifests/types.js';

// Shared objects (a Deployment's labels on its pod template) are written out, not as YAML anchors.
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** kubectl apply -f DIR applies files in name order: the Namespace must come before what lives in it. */
const ORDER: Record<Manifest['kind'], string> = { Namespace: '00', ConfigMap: '10', Service: '20', Deployment: '30' };

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
 * One file per object under `dir`, written all or nothing by FileTree.flush
 * (which refuses to overwrite: an earlier --out is never silently mixed in).
 */
export async function writeManifestFiles(dir: string, manifests: readonly Manifest[]): Promise<string[]> {
  const { stringify } = await import('yaml');
  const tree = new FileTree(dir);
  for (const manifest of manifests) tree.create(manifestFileName(manifest), stringify(manifest, YAML_OPTIONS));
  await tree.flush();
  return tree.entries().map((entry) => entry.path);
}
