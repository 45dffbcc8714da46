import type { IncomingMessage } from 'node:http';
import type Dockerode from 'dockerode';
import type { EngineBuilderInfo } from './builder-choice.js';
import type { BuildkitTrace } from './buildkit-trace.js';
import type { ProgressOutput } from './docker-client.js';

/**
 * Build and push progress alike: one JSON event per step, a failure as an `error` event inside the 200 response.
 * A BuildKit build sends its steps and their output as trace events instead, decoded by `trace`.
 */
export function followProgress(docker: Dockerode, stream: NodeJS.ReadableStream, trace?: BuildkitTrace): Promise<ProgressOutput> {
  const lines: string[] = [];
  let failure: string | undefined;
  return new Promise((resolve) => {
    const onEvent = (event: { id?: string; aux?: unknown; stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
      if (trace && event.id === 'moby.buildkit.trace' && typeof event.aux === 'string') return trace.add(event.aux);
      const text = event.stream ?? event.status;
      if (text) lines.push(...text.replace(/\n$/, '').split('\n'));
      if (event.error) failure = event.errorDetail?.message ?? event.error;
    };
    const done = (error: Error | null) => {
      const message = failure ?? error?.message;
      // An engine that ignored `version: 2` and built the legacy way sent no trace: its plain lines are the output.
      resolve(trace?.seen ? trace.result(message) : { lines, error: message });
    };
    docker.modem.followProgress(stream, done, onEvent);
  });
}

/** /_ping's headers (dockerode's ping gives only the body): Api-Version, Ostype, Builder-Version. */
export function pingHeaders(docker: Dockerode): Promise<EngineBuilderInfo> {
  return new Promise((resolve, reject) => {
    const options = { path: '/_ping', method: 'GET', isStream: true, statusCodes: { 200: true } };
    docker.modem.dial(options, (error, result) => {
      if (error) return reject(error);
      const response = result as IncomingMessage;
      response.resume();
      const header = (name: string) => (typeof response.headers[name] === 'string' ? (response.headers[name] as string) : undefined);
      resolve({ apiVersion: header('api-version'), osType: header('ostype'), builderVersion: header('builder-version') });
    });
  });
}
