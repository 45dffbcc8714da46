import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as the JSON Schema fastify validates and serializes with, and
 * the OpenAPI document shows. Requests use the "input" view (defaults and
 * optional fields), responses the "output" view.
 */
export function jsonSchema(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  // draft-07 is what fastify's Ajv expects; the $schema marker would only confuse OpenAPI readers.
  const { $schema: _marker, ...rest } = z.toJSONSchema(schema, { target: "draft-7", io, override: preferFormat });
  return rest;
}

// zod writes a regex next to `format` (uuid, date-time); Ajv checks the regex first and
// its 400 message would quote the regex instead of saying "must match format \"uuid\"".
function preferFormat(ctx: { jsonSchema: Record<string, unknown> }): void {
  if (ctx.jsonSchema.format && ctx.jsonSchema.pattern) delete ctx.jsonSchema.pattern;
}

/** The body fastify sends for 4xx/5xx, and what our own 404s send too. */
export const errorSchema: JsonSchema = {
  type: "object",
  properties: {
    statusCode: { type: "integer" },
    code: { type: "string" },
    error: { type: "string" },
    message: { type: "string" },
  },
  required: ["statusCode", "error", "message"],
};
