/**
 * The Kubernetes API's own name rules (k8s.io/apimachinery validation), which
 * the JSON schemas in kubernetes-models do not check: a bad name would
 * otherwise only be found by the API server, halfway through an apply.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

type Rule = (value: string) => string | undefined;

/** Namespaces and container names. */
export const dns1123Label: Rule = (value) =>
  value.length > 63 ? 'must be at most 63 characters' : DNS1123_LABEL.test(value) ? undefined : 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';

/** Service names: also a DNS label, but starting with a letter. */
export const dns1035Label: Rule = (value) =>
  value.length > 63 ? 'must be at most 63 characters' : DNS1035_LABEL.test(value) ? undefined : 'must be lower-case letters, digits and "-", starting with a letter and ending with a letter or digit';

/** Deployments, ConfigMaps, Secrets. */
export const dns1123Subdomain: Rule = (value) =>
  value.length > 253 ? 'must be at most 253 characters' : DNS1123_SUBDOMAIN.test(value) ? undefined : 'must be lower-case DNS labels joined by "."';

/** Label and annotation keys: `[prefix/]name`. */
export const qualifiedName: Rule = (key) => {
  const parts = key.split('/');
  if (parts.length > 2) return 'must be [prefix/]name';
  const name = parts.at(-1)!;
  if (parts.length === 2 && dns1123Subdomain(parts[0])) return `prefix "${parts[0]}" ${dns1123Subdomain(parts[0])}`;
  if (name.length > 63) return 'name part must be at most 63 characters';
  return QUALIFIED_NAME.test(name) ? undefined : 'name part must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
};

export const labelValue: Rule = (value) =>
  value.length > 63 ? 'must be at most 63 characters' : LABEL_VALUE.test(value) ? undefined : 'must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit';

export const configMapKey: Rule = (key) =>
  key.length > 253 ? 'must be at most 253 characters' : CONFIG_KEY.test(key) ? undefined : 'must be letters, digits, "-", "_" or "."';

/** Named ports (`http`, `grpc`): at most 15 characters with at least one letter. */
export const portName: Rule = (value) => {
  if (value.length > 15) return 'must be at most 15 characters';
  if (!IANA_SVC_NAME.test(value) || value.includes('--')) return 'must be lower-case letters, digits and single "-"';
  return /[a-z]/.test(value) ? undefined : 'must contain a letter';
};
