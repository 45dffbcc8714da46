import { z } from "zod";

/** EX_CONFIG from sysexits.h: lets a supervisor tell "misconfigured" from "crashed". */
export const CONFIG_EXIT_CODE = 78;

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A bad or missing env var; the message is the one line the service prints before it stops. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export function integerVar(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

export function textVar() {
  return z.string().trim().min(1, "must not be empty");
}

/** A URL whose scheme is one of `protocols` (e.g. ["http:", "https:"]). */
export function urlVar(protocols: readonly string[] = ["http:", "https:"]) {
  const schemes = protocols.map((p) => `${p}//`).join(" or ");
  return z.string().refine((value) => isUrl(value, protocols), `must be a ${schemes} URL`);
}

/** `host:port`: what a gRPC client dials (msx wires gRPC dependencies this way). */
export function hostPortVar() {
  return z
    .string()
    .trim()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/, "must be host:port");
}

/**
 * The env every service reads. A kind spreads this into its own z.object and
 * adds what it needs (`<DEP>_URL`, DATABASE_URL, ...).
 */
export function baseConfigShape(defaults: { port: number; serviceName: string }) {
  return {
    PORT: integerVar(1, 65535).default(defaults.port),
    /** In a container every interface (the runtime publishes the port); msx up sets 127.0.0.1 on a laptop. */
    HOST: textVar().default("0.0.0.0"),
    SERVICE_NAME: textVar().default(defaults.serviceName),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
    SHUTDOWN_GRACE_MS: integerVar(0, 600_000).default(10_000),
  };
}

/** Validates env against the schema; throws one ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // An empty value counts as unset, so `PORT=` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const seen = new Set<string>();
  const problems = result.error.issues.flatMap((issue) => {
    const key = String(issue.path[0] ?? "env");
    if (seen.has(key)) return [];
    seen.add(key);
    return [describeProblem(key, present[key], issue.message)];
  });
  throw new ConfigError(`config error: ${problems.join("; ")}`);
}

/** For main(): print the one line and stop, with no stack trace. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S): z.output<S> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
}

function describeProblem(key: string, raw: string | undefined, message: string): string {
  if (raw === undefined) return `${key} is required but not set`;
  // Never echo what may hold a credential into logs.
  const secret = /PASSWORD|SECRET|TOKEN|_KEY$/.test(key) || raw.includes("@");
  return `${key} ${message} (${secret ? "value hidden" : `got ${JSON.stringify(raw)}`})`;
}

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
