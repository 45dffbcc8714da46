import chalk from 'chalk';
import type { TreeEntry } from '../files/file-tree.js';
import type { InitResult } from '../services/init-workspace.js';
import type { NewServiceResult } from '../services/new-service.js';

function fileLines(files: TreeEntry[], dryRun: boolean): string[] {
  return files.map((file) => {
    const verb = file.action === 'create' ? chalk.green(dryRun ? 'would create' : 'create') : chalk.yellow(dryRun ? 'would update' : 'update');
    return `  ${verb} ${file.path} ${chalk.dim(`(${file.size} B)`)}`;
  });
}

export function renderInit(result: InitResult): string {
  const head = result.dryRun ? `Dry run: workspace "${result.name}" in ${result.root}` : `Made workspace "${result.name}" in ${result.root}`;
  const next = result.dryRun ? [] : ['', 'Next:', `  cd ${result.root}`, '  msx new service orders --kind rest --context ordering'];
  return [head, ...fileLines(result.files, result.dryRun), ...next].join('\n');
}

export function renderNewService(result: NewServiceResult): string {
  const { service } = result;
  const head = result.dryRun
    ? `Dry run: ${service.kind} service "${service.name}" (nothing written)`
    : `Made ${service.kind} service "${service.name}" in ${service.path}, port ${service.port}`;
  const next = result.dryRun
    ? []
    : ['', 'Next:', `  cd ${service.path} && npm install && npm test`, '  msx up'];
  return [head, ...fileLines(result.files, result.dryRun), ...next].join('\n');
}
