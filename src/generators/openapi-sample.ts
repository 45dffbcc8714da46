/** A minimal valid request body for a route, made from the service's own OpenAPI document. */

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  minLength?: number;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

export function sampleRequestBody(document: OpenApiDocument, path: string, method = 'post'): unknown {
  const schema = document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  return schema ? sampleOf(schema, document) : {};
}

function sampleOf(schema: Schema, document: OpenApiDocument): unknown {
  if (schema.$ref) return sampleOf(document.components?.schemas?.[schema.$ref.split('/').pop()!] ?? {}, document);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sampleOf(schema.properties?.[key] ?? {}, document)]));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      return 'demo'.padEnd(Math.max(schema.minLength ?? 1, 4), 'o');
  }
}
