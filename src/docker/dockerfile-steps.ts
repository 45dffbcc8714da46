/** A Dockerfile instruction as the legacy builder numbers it: `Step number/total : text`. */
export interface DockerfileStep {
  number: number;
  total: number;
  text: string;
}

/** The instructions BuildKit makes a step of (and numbers within their stage); a FROM only when its base is an image. */
const NUMBERED = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

/**
 * The instruction behind a BuildKit step name, numbered as the legacy
 * builder (and so msx's messages) always did: among all the Dockerfile's
 * instructions. BuildKit names a step `[<stage> k/n] <text>`, counting only
 * the instructions of that stage that make a layer, the stage `stage-<i>`
 * when unnamed and left out when there is one stage. Undefined when the name
 * is not a numbered step (`[internal] load metadata …`) or does not fit the
 * Dockerfile. dockerfile-ast is imported here, on the failure path only.
 */
export async function legacyStep(dockerfile: string, stepName: string): Promise<DockerfileStep | undefined> {
  const name = /^\[(?:(.*?) )?(\d+)\/(\d+)\] (.*)$/s.exec(stepName);
  if (!name) return undefined;
  const [, prefix, k, n, text] = name;
  const { DockerfileParser } = await import('dockerfile-ast');
  const parsed = DockerfileParser.parse(dockerfile);
  const all = parsed.getInstructions();
  const froms = parsed.getFROMs();
  const stageName = prefix?.split(' ').at(-1)?.toLowerCase();
  const stage = stageName === undefined ? (froms.length === 1 ? 0 : -1) : froms.findIndex((from, i) => (from.getBuildStage()?.toLowerCase() ?? `stage-${i}`) === stageName);
  if (stage < 0) return undefined;
  const start = all.indexOf(froms[stage]);
  const end = stage + 1 < froms.length ? all.indexOf(froms[stage + 1]) : all.length;
  const own = all.slice(start, end);
  const stages = froms.slice(0, stage).map((from, i) => from.getBuildStage()?.toLowerCase() ?? `stage-${i}`);
  const fromImage = !stages.includes((froms[stage].getImageName() ?? '').toLowerCase());
  const numbered = own.filter((instruction, i) => (i === 0 ? fromImage : NUMBERED.has(instruction.getKeyword())));
  const keyword = text.split(/\s/)[0].toUpperCase();
  const byIndex = numbered.length === Number(n) ? numbered[Number(k) - 1] : undefined;
  const escape = parsed.getEscapeCharacter();
  const flat = (content: string) => content.split(`${escape}\n`).join('').split(`${escape}\r\n`).join('');
  const found = byIndex?.getKeyword() === keyword ? byIndex : own.find((instruction) => flat(instruction.getTextContent()) === text);
  if (!found) return undefined;
  return { number: all.indexOf(found) + 1, total: all.length, text: flat(found.getTextContent()) };
}
