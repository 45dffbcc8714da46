import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/** `<service root>/contracts/events`, from src/platform and dist/platform alike (the image copies it). */
export const CONTRACTS_DIR = fileURLToPath(new URL("../../contracts/events/", import.meta.url));

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** A payload that does not match its event's contract. */
export class ContractError extends Error {
  override name = "ContractError";
}

export interface EventContract {
  event: string;
  /** Throws a ContractError naming every mismatch. */
  check(payload: unknown): void;
}

/**
 * Compiles `contracts/events/<event>.json` (JSON Schema; 2020-12 unless its
 * `$schema` says draft-07). Read once at startup: a broken contract stops the service.
 */
export function loadEventContract(event: string, dir = CONTRACTS_DIR): EventContract {
  const file = `${dir}${event}.json`;
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const draft7 = String(schema.$schema ?? "").includes("draft-07");
  const ajv = draft7 ? new Ajv({ allErrors: true }) : new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const validate: ValidateFunction = ajv.compile(schema);
  return {
    event,
    check(payload) {
      if (validate(payload)) return;
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "payload"} ${e.message ?? "is invalid"}`);
      throw new ContractError(`${event} payload does not match contracts/events/${event}.json: ${problems.join("; ")}`);
    },
  };
}
