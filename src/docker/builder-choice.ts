export type Builder = 'buildkit' | 'legacy';

/** What the engine's /_ping answers in its headers. */
export interface EngineBuilderInfo {
  /** Api-Version, e.g. `1.41`. */
  apiVersion?: string;
  /** Ostype: `linux` or `windows`. */
  osType?: string;
  /** Builder-Version: `2` (BuildKit is the engine's default), `1` (turned off in daemon.json), absent before Docker 23 unless set. */
  builderVersion?: string;
}

/** BuildKit left experimental in Docker 18.09 (API 1.39); the engine builds with it on Linux only. */
const BUILDKIT_API = [1, 39];

/**
 * Which builder msx asks the engine for, as `docker build` decides it:
 * DOCKER_BUILDKIT first (Go's ParseBool spellings), then the engine's
 * Builder-Version, then whether the engine can (API ≥ 1.39, Linux). BuildKit
 * is preferred: it builds only the stages the target needs, and in parallel.
 */
export function chooseBuilder(env: NodeJS.ProcessEnv, engine: EngineBuilderInfo): Builder {
  const asked = env.DOCKER_BUILDKIT?.trim();
  if (asked && /^(0|f|false)$/i.test(asked)) return 'legacy';
  if (asked && /^(1|t|true)$/i.test(asked)) return 'buildkit';
  if (engine.builderVersion === '1') return 'legacy';
  if (engine.builderVersion === '2') return 'buildkit';
  const [major, minor] = (engine.apiVersion ?? '0.0').split('.').map(Number);
  const recent = major > BUILDKIT_API[0] || (major === BUILDKIT_API[0] && minor >= BUILDKIT_API[1]);
  return recent && engine.osType === 'linux' ? 'buildkit' : 'legacy';
}
