import { UserError } from '../../errors.js';
import type { Service } from '../../models/workspace.js';

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  // Docker's own spelling (`--memory 512m`) is binary.
  m: 2 ** 20,
  g: 2 ** 30,
};

/** Docker's HostConfig limits from msx.yaml `resources` (Kubernetes spellings: cpu "500m" or "0.5", memory "256Mi"). */
export function resourceLimits(service: Service): { NanoCpus?: number; Memory?: number } {
  const limits: { NanoCpus?: number; Memory?: number } = {};
  const { cpu, memory } = service.resources ?? {};
  if (cpu !== undefined) limits.NanoCpus = Math.round(parseCpu(cpu, service.name) * 1e9);
  if (memory !== undefined) limits.Memory = parseMemory(memory, service.name);
  return limits;
}

export function parseCpu(value: string, service: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(value.trim());
  const cores = match ? Number(match[1]) / (match[2] ? 1000 : 1) : NaN;
  if (!(cores > 0)) throw invalid(service, 'cpu', value, 'like "500m" or "0.5" (cores)');
  return cores;
}

export function parseMemory(value: string, service: string): number {
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value.trim());
  const unit = match ? MEMORY_UNITS[match[2]] : undefined;
  const bytes = match && unit ? Math.round(Number(match[1]) * unit) : NaN;
  // Docker refuses limits under 6 MB; say so here rather than as an engine error.
  if (!(bytes >= 6 * 2 ** 20)) throw invalid(service, 'memory', value, 'like "256Mi", "512M" or "1Gi", at least 6Mi');
  return bytes;
}

function invalid(service: string, key: string, value: string, expected: string): UserError {
  return new UserError(`msx.yaml services.${service}.resources.${key}: "${value}" is not a ${key} amount`, {
    hint: `write it ${expected}`,
  });
}
