import type { FastifyInstance, RouteOptions } from "fastify";
import type { JsonSchema } from "./json-schema.js";

declare module "fastify" {
  /** Keys fastify ignores and the OpenAPI document shows. */
  interface FastifySchema {
    summary?: string;
    tags?: string[];
  }
}

interface DocumentedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
}

/** A route's schema as this module reads it. */
interface RouteSchema {
  summary?: string;
  tags?: string[];
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
  response?: Record<string, JsonSchema>;
}

/**
 * Serves `/openapi.json` built from the schemas the routes validate with, so
 * the document cannot drift from the code. Call before registering routes:
 * only routes added afterwards are seen. Routes without a schema are left out.
 */
export function serveOpenApi(app: FastifyInstance, info: { title: string; version: string }): void {
  const routes: DocumentedRoute[] = [];
  app.addHook("onRoute", (route: RouteOptions) => {
    if (!route.schema) return;
    for (const method of [route.method].flat()) {
      // Fastify adds a HEAD twin for every GET; it says nothing new.
      if (method !== "HEAD") routes.push({ method, url: route.url, schema: route.schema as RouteSchema });
    }
  });
  app.get("/openapi.json", async () => openApiDocument(info, routes));
}

function openApiDocument(info: { title: string; version: string }, routes: readonly DocumentedRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route.schema);
  }
  return { openapi: "3.1.0", info, paths };
}

function operation(schema: RouteSchema) {
  const parameters = [...parametersOf(schema.params, "path"), ...parametersOf(schema.querystring, "query")];
  const responses = Object.fromEntries(
    Object.entries(schema.response ?? {}).map(([status, body]) => [status, responseOf(body)]),
  );
  return {
    summary: schema.summary,
    tags: schema.tags,
    ...(parameters.length ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: { "application/json": { schema: schema.body } } } } : {}),
    responses,
  };
}

function parametersOf(schema: JsonSchema | undefined, where: "path" | "query") {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema?.required ?? []) as string[];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || required.includes(name),
    schema: property,
  }));
}

function responseOf(body: JsonSchema) {
  const description = typeof body.description === "string" ? body.description : "Response";
  if (body.type === "null") return { description };
  return { description, content: { "application/json": { schema: body } } };
}
