import { UserError } from '../errors.js';
import { withTimeout } from '../models/time.js';
import type { DockerClient } from './docker-client.js';

const PING_TIMEOUT_MS = 3_000;

/** What a caller tells a user to do when the engine does not answer, after "start Docker". */
export interface ConnectOptions {
  /** The way out without Docker, e.g. "run without Docker: msx up --runtime local". */
  otherwise?: string;
}

/** Where dockerode will look for the engine, in the words of DOCKER_HOST. */
export function dockerEndpoint(env = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/**
 * Connects to the Docker engine and checks that it answers. dockerode is
 * imported here, on the one code path that needs it (~180 ms), and an engine
 * that is missing or down is one line with the way out, not a stack trace.
 */
export async function connectDocker(options: ConnectOptions = {}): Promise<DockerClient> {
  // dockerode reads DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) from process.env itself.
  const endpoint = dockerEndpoint(process.env);
  try {
    const [{ default: Dockerode }, { DockerodeClient }] = await Promise.all([import('dockerode'), import('./dockerode-client.js')]);
    const client = new DockerodeClient(new Dockerode(), endpoint);
    await withTimeout(client.ping(), PING_TIMEOUT_MS);
    return client;
  } catch (error) {
    throw engineUnavailable(endpoint, error, options);
  }
}

export function engineUnavailable(endpoint: string, error: unknown, options: ConnectOptions = {}): UserError {
  const cause = (error as Error).message || (error as NodeJS.ErrnoException).code || String(error);
  const start = 'start Docker (or point DOCKER_HOST at it)';
  return new UserError(`the Docker engine does not answer at ${endpoint} (${cause})`, {
    hint: options.otherwise ? `${start}, or ${options.otherwise}` : start,
    exit: 'runtimeUnavailable',
  });
}
