#!/usr/bin/env node
// `msx logs` and `msx traces` are tried first without oclif (dist/cli/fast-path.js
// says when it declines); every other command, and any invocation it declines, goes to oclif.
const [command, ...rest] = process.argv.slice(2);
const handled = (command === 'logs' || command === 'traces') && (await (await import('../dist/cli/fast-path.js')).runFastPath(command, rest));
if (!handled) {
  // oclif checks Node against its own engines range with semver (47 modules) on
  // every start; msx's own engines field is what matters, so skip it: ~10 ms of
  // every command. Set before oclif is imported (hence the dynamic import), and
  // removed after, so the services msx starts do not inherit it.
  const skipEngineCheck = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
  if (skipEngineCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
  const { execute } = await import('@oclif/core');
  if (skipEngineCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
  await execute({ dir: import.meta.url });
}
