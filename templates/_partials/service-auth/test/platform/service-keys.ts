import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";

export interface TestKeys {
  publicKey: string;
  privateKey: string;
}

/** A fresh Ed25519 pair as msx hands it over: JWK JSON, one line each. */
export async function testServiceKeys(kid = "test-key"): Promise<TestKeys> {
  const pair = await generateKeyPair("EdDSA", { extractable: true });
  const meta = { kid, alg: "EdDSA", use: "sig" };
  return {
    publicKey: JSON.stringify({ ...(await exportJWK(pair.publicKey)), ...meta }),
    privateKey: JSON.stringify({ ...(await exportJWK(pair.privateKey)), ...meta }),
  };
}

/** A token signed with `privateKey` and any claims a test wants wrong (exp in the past, another aud). */
export async function signTestToken(
  privateKey: string,
  claims: { sub?: string; aud?: string; iss?: string; expiresAt?: number },
): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: "EdDSA" }).setIssuedAt();
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.aud) jwt.setAudience(claims.aud);
  if (claims.iss) jwt.setIssuer(claims.iss);
  jwt.setExpirationTime(claims.expiresAt ?? Math.floor(Date.now() / 1000) + 300);
  return jwt.sign(await importJWK(JSON.parse(privateKey), "EdDSA"));
}
