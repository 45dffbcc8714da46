import { z } from 'zod';
import { envKeyProblem, eventNameProblem, nameProblem, RUNTIME_NAMES } from './names.js';

/** The zod schema of msx.yaml: the only description of its shape. */

const name = (what: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = nameProblem(value, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const eventName = z.string().superRefine((value, ctx) => {
  const problem = eventNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const envKeyed = <T extends z.ZodType>(value: T) =>
  z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const problem = envKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key], params: { atKey: true } });
    }
  });

const configValue = z.union([z.string(), z.number(), z.boolean()]);
const port = z.number().int().min(1024, 'must be 1024-65535').max(65535, 'must be 1024-65535');

export const ServiceKindSchema = z.enum(['rest', 'grpc', 'consumer', 'gateway']);
export type ServiceKind = z.infer<typeof ServiceKindSchema>;

export const DatabaseSchema = z.enum(['none', 'postgres']);
export type Database = z.infer<typeof DatabaseSchema>;

const ProbeSchema = z.strictObject({
  path: z.string().startsWith('/').optional(),
  initialDelaySeconds: z.number().int().min(0).optional(),
  periodSeconds: z.number().int().min(1).optional(),
  timeoutSeconds: z.number().int().min(1).optional(),
  failureThreshold: z.number().int().min(1).optional(),
});

/** A gateway's route: a path prefix and the service behind it (checked across services in gateway-routes.ts). */
export const RouteSchema = z.strictObject({
  path: z.string(),
  service: z.string(),
  public: z.boolean().optional(),
  timeout: z.string().optional(),
  rateLimit: z.strictObject({ max: z.number().int().min(1, 'must be at least 1'), window: z.string() }).optional(),
  /** Scopes a token must carry for this route (403 otherwise). */
  scopes: z.array(z.string().regex(/^\S+$/, 'must be one scope, no spaces')).optional(),
});
export type RouteSpec = z.infer<typeof RouteSchema>;

export const ServiceSchema = z.strictObject({
  kind: ServiceKindSchema,
  context: name('context'),
  path: z.string().min(1),
  port,
  db: DatabaseSchema.default('none'),
  dependsOn: z.array(z.string()).default([]),
  publishes: z.array(eventName).default([]),
  subscribes: z.array(eventName).default([]),
  config: envKeyed(configValue).default({}),
  secrets: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an env var name')).default([]),
  probes: z
    .strictObject({ liveness: ProbeSchema.optional(), readiness: ProbeSchema.optional(), startup: ProbeSchema.optional() })
    .optional(),
  resources: z
    .strictObject({ cpu: z.string().optional(), memory: z.string().optional() })
    .optional(),
  /** Only on a gateway: what it routes where. */
  routes: z.array(RouteSchema).optional(),
});

/** Where the environment's services send OpenTelemetry data: an OTLP/HTTP base URL (exporters add /v1/traces). */
const otlpEndpoint = z.string().superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" must be an http:// or https:// URL, the OTLP/HTTP base (e.g. http://jaeger:4318)` });
  }
});

export const EnvironmentSchema = z.strictObject({
  runtime: z.enum(RUNTIME_NAMES),
  registry: z.string().optional(),
  kubeContext: z.string().optional(),
  namespace: name('namespace').optional(),
  replicas: z.number().int().min(0).optional(),
  /** The public host name of the workspace's gateway: msx deploy adds an Ingress for it. */
  host: z.string().optional(),
  config: z.record(z.string(), envKeyed(configValue)).optional(),
  otel: z.strictObject({ endpoint: otlpEndpoint.optional() }).optional(),
});

const InfraSchema = z.strictObject({
  url: z.string().optional(),
  image: z.string().optional(),
});

export const WorkspaceSchema = z.strictObject({
  version: z.literal(1),
  name: name('workspace name'),
  services: z.record(z.string(), ServiceSchema).nullish().transform((s) => s ?? {}),
  infra: z.strictObject({ rabbitmq: InfraSchema.optional(), postgres: InfraSchema.optional(), redis: InfraSchema.optional() }).optional(),
  environments: z.record(z.string(), EnvironmentSchema).optional(),
});

export type ServiceSpec = z.infer<typeof ServiceSchema>;
export type EnvironmentSpec = z.infer<typeof EnvironmentSchema>;
export type WorkspaceSpec = z.infer<typeof WorkspaceSchema>;
