import type { FakeKubeApi } from '../fakes/kube-api-server.js';

// What the API server holds about a pod, read back from it: the CLI tests
// compare msx's output with this, not with the texts test/fakes/kube-api
// happens to make up (its log lines, event messages, restart counts). Which
// lines msx picks from a real cluster's objects is tested on fixture objects
// in diagnose.test.ts and rollout.test.ts.

/** The pod's container log as GET .../pods/NAME/log serves it (previous: the run before its last restart). */
export async function servedLogLines(fake: FakeKubeApi, pod: string, container: string, previous: boolean): Promise<string[]> {
  const query = new URLSearchParams({ container, previous: String(previous) });
  const response = await fetch(`${fake.url}/api/v1/namespaces/shop/pods/${pod}/log?${query}`, { headers: { authorization: 'Bearer fake-token' } });
  if (!response.ok) return [];
  return (await response.text()).trimEnd().split('\n').filter(Boolean);
}

/** The pod's events as `msx deploy` prints them, oldest first. */
export function podEventLines(fake: FakeKubeApi, pod: string): string[] {
  return fake
    .list('Event', 'shop')
    .filter((e) => e.involvedObject?.name === pod)
    .sort((a, b) => Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp))
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);
}

/** The name of the pod msx diagnosed: `  pod NAME: STATE`. */
export function diagnosedPod(stderr: string): string {
  const match = /^ {2}pod (\S+): /m.exec(stderr);
  if (!match) throw new Error(`no diagnosed pod in:\n${stderr}`);
  return match[1];
}

export function restartCountOf(fake: FakeKubeApi, pod: string): number {
  return fake.list('Pod', 'shop').find((p) => p.metadata.name === pod)?.status.containerStatuses[0].restartCount;
}
