import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { buildGateway, type GatewayDependencies } from "../src/app.js";
import { createTokenVerifier } from "../src/auth/verify-token.js";
import { openUpstreams } from "../src/collaborators.js";
import { HealthRegistry } from "../src/platform/health.js";
import { createLogger } from "../src/platform/logger.js";
import { configSchema, type RouteConfig } from "../src/service-config.js";
import { loadConfig } from "../src/platform/config.js";
import { captureLogs } from "./platform/log-capture.js";

export const ISSUER = "https://issuer.test";
export const AUDIENCE = "shop";

/** A key pair of a token issuer, and tokens signed by it (or, with `other`, by a stranger). */
export async function makeIssuer() {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const stranger = await generateKeyPair("RS256");
  const sign = (claims: { sub?: string; aud?: string; scope?: string; expiresIn?: string } = {}, key: CryptoKey = privateKey) => {
    const jwt = new SignJWT({ ...(claims.scope ? { scope: claims.scope } : {}) })
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.expiresIn ?? "5m");
    if (claims.sub !== "") jwt.setSubject(claims.sub ?? "user-1");
    return jwt.sign(key);
  };
  return { publicKeyPem: await exportSPKI(publicKey), sign, signAsStranger: (claims = {}) => sign(claims, stranger.privateKey) };
}

/** `url`: the upstream's base URL, or host:port for a gRPC route (`protocol: "grpc"`). */
export type TestRoute = Partial<RouteConfig> & { path: string; service: string; url: string };

/** The test fixtures' gRPC APIs (a gRPC route reads proto/<service>.proto; tests read these). */
export const FIXTURE_PROTOS = new URL("./fixtures/", import.meta.url);

/**
 * The real gateway over real upstreams (test servers on 127.0.0.1), configured through the
 * same schema main() uses, its log lines captured. `env` overrides any variable; gRPC routes
 * read their APIs from test/fixtures/.
 */
export async function buildTestGateway(routes: TestRoute[], publicKeyPem: string | undefined, env: Record<string, string> = {}) {
  const routeEnv: Record<string, string> = {};
  const gatewayRoutes = routes.map(({ url, ...route }) => {
    const urlEnv = `${route.service.toUpperCase().replace(/-/g, "_")}_URL`;
    routeEnv[urlEnv] = url;
    return { urlEnv, ...route };
  });
  const config = loadConfig(configSchema, {
    GATEWAY_ROUTES: JSON.stringify(gatewayRoutes),
    ...(publicKeyPem ? { AUTH_PUBLIC_KEY: publicKeyPem } : {}),
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    ...routeEnv,
    ...env,
  });
  const logs = captureLogs();
  const logger = createLogger({ service: "gateway", level: "debug", destination: logs.stream });
  const health = new HealthRegistry();
  const upstreams = openUpstreams(config, logger, health, undefined, FIXTURE_PROTOS);
  const deps: GatewayDependencies = {
    logger,
    health,
    routes: config.GATEWAY_ROUTES,
    upstreams,
    verify: createTokenVerifier({ publicKeyPem: config.AUTH_PUBLIC_KEY, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, clockToleranceMs: config.AUTH_CLOCK_TOLERANCE }),
    rateLimits: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW, keyPrefix: config.RATE_LIMIT_PREFIX },
    breaker: { threshold: config.BREAKER_THRESHOLD, halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER },
    defaultTimeoutMs: config.UPSTREAM_TIMEOUT,
    readinessMode: config.READINESS_MODE,
  };
  const gateway = await buildGateway(deps);
  health.markStarted();
  return { ...gateway, health, logs };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
