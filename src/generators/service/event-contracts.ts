import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileTree } from '../../files/file-tree.js';

/** Where a workspace describes each event's payload, once, as JSON Schema. */
export const contractPath = (event: string) => `contracts/events/${event}.json`;

/**
 * Gives the service a copy of each event contract it publishes or consumes.
 * The workspace's contract is the source; a missing one is created from a
 * starting schema the user then edits.
 */
export function addEventContracts(tree: FileTree, workspaceRoot: string, servicePath: string, events: readonly string[]): void {
  for (const event of new Set(events)) {
    const workspaceFile = join(workspaceRoot, contractPath(event));
    let text = tree.read(contractPath(event));
    if (text === undefined && existsSync(workspaceFile)) text = readFileSync(workspaceFile, 'utf8');
    if (text === undefined) {
      text = startingContract(event);
      tree.create(contractPath(event), text);
    }
    tree.create(`${servicePath}/${contractPath(event)}`, text);
  }
}

function startingContract(event: string): string {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${event}.json`,
    title: event,
    description: `Payload of the "${event}" event. Edit here; services get a copy when generated.`,
    type: 'object',
    required: ['id', 'occurredAt'],
    properties: {
      id: { type: 'string', minLength: 1, description: 'id of the aggregate the event is about' },
      occurredAt: { type: 'string', format: 'date-time' },
      data: { type: 'object', description: 'the aggregate as it was when the event happened' },
    },
    additionalProperties: false,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
