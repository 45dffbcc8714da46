import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Service } from '../../../src/models/workspace.js';
import { serviceContainerSpec } from '../../../src/runtimes/docker/container-spec.js';
import type { DevRunner } from '../../../src/runtimes/docker/dev-runner-install.js';
import { LABEL } from '../../../src/runtimes/docker/labels.js';
import { isMounted, mountedDirs, sourceDirsFor } from '../../../src/runtimes/docker/source-mounts.js';
import { makeTempDir, removeDir } from '../../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const runner = (user: string, workingDir = '/app'): DevRunner => ({ command: ['node', '/opt/msx/dev-runner.mjs', 'node', '--import', 'tsx', 'src/main.ts'], version: 'v1', workingDir, user });

/** A service folder with src/ (readable by all), proto/ (one file only its owner reads) and no migrations/. */
function serviceFolder(): Service {
  const dir = makeTempDir();
  dirs.push(dir);
  mkdirSync(join(dir, 'src', 'http'), { recursive: true });
  writeFileSync(join(dir, 'src', 'main.ts'), '');
  writeFileSync(join(dir, 'src', 'http', 'routes.ts'), '');
  chmodSync(join(dir, 'src', 'main.ts'), 0o644);
  mkdirSync(join(dir, 'proto'));
  writeFileSync(join(dir, 'proto', 'stock.proto'), '');
  chmodSync(join(dir, 'proto', 'stock.proto'), 0o600);
  writeFileSync(join(dir, 'contracts'), 'a file, not a folder');
  return { name: 'alpha', dir, port: 43123 } as Service;
}

describe('source mounts of a watched dev container', () => {
  it('only folders the image user can read all of; none without the runner folder or a working directory', () => {
    const service = serviceFolder();
    // The files are the test's own (its uid): a 0600 file is not another uid's to read, nor a named user's.
    const [uid, gid] = [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
    const other = uid + 4242;
    expect(sourceDirsFor(service, '/x/.msx/dev-runner/alpha', runner(`${other}:${other}`))).toEqual(['src']);
    expect(sourceDirsFor(service, '/x/.msx/dev-runner/alpha', runner('node'))).toEqual(['src']);
    // Root reads everything; the owner's uid reads its own 0600 file.
    expect(sourceDirsFor(service, '/x/.msx/dev-runner/alpha', runner(''))).toEqual(['src', 'proto']);
    expect(sourceDirsFor(service, '/x/.msx/dev-runner/alpha', runner('0:0'))).toEqual(['src', 'proto']);
    expect(sourceDirsFor(service, '/x/.msx/dev-runner/alpha', runner(`${uid}:${gid}`))).toEqual(['src', 'proto']);
    expect(sourceDirsFor(service, undefined, runner('1000:1000'))).toBeUndefined();
    expect(sourceDirsFor(service, '/x/.msx/dev-runner/alpha', runner('1000:1000', ''))).toBeUndefined();
  });

  it('are read-only binds under the image working directory, named in a label; a changed file there is mounted', () => {
    const service = serviceFolder();
    const devRunner = runner('1000:1000');
    const spec = serviceContainerSpec({
      workspace: 'ws', service, image: 'msx/ws_alpha:dev', env: {}, network: 'msx_ws', extraHosts: [], devRunner,
      runnerDir: '/x/.msx/dev-runner/alpha', sourceDirs: ['src', 'proto'],
    });
    expect(spec.options.HostConfig?.Binds).toEqual([
      '/x/.msx/dev-runner/alpha:/opt/msx:z',
      `${join(service.dir, 'src')}:/app/src:ro,z`,
      `${join(service.dir, 'proto')}:/app/proto:ro,z`,
    ]);
    const mounted = mountedDirs(spec.options.Labels);
    expect(spec.options.Labels?.[LABEL.sourceMounts]).toBe('src,proto');
    expect(isMounted(mounted, 'src/http/routes.ts')).toBe(true);
    expect(isMounted(mounted, 'tsconfig.json')).toBe(false);
    expect(isMounted(mounted, 'srcs/x.ts')).toBe(false);
    expect(mountedDirs({})).toEqual(new Set());
    // Without sources to mount, the spec is as before (same hash as a container made before mounts existed).
    const plain = serviceContainerSpec({ workspace: 'ws', service, image: 'msx/ws_alpha:dev', env: {}, network: 'msx_ws', extraHosts: [], devRunner, runnerDir: '/x/.msx/dev-runner/alpha', sourceDirs: [] });
    expect(plain.options.HostConfig?.Binds).toEqual(['/x/.msx/dev-runner/alpha:/opt/msx:z']);
    expect(plain.options.Labels?.[LABEL.sourceMounts]).toBeUndefined();
  });
});
