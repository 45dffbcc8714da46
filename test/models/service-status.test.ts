import { describe, expect, it } from 'vitest';
import { localUrl } from '../../src/models/service-status.js';

describe('localUrl', () => {
  it('says http:// for the kinds that speak HTTP and grpc:// for a gRPC service', () => {
    expect(localUrl({ kind: 'rest', port: 3000 })).toBe('http://127.0.0.1:3000');
    expect(localUrl({ kind: 'gateway', port: 8080 })).toBe('http://127.0.0.1:8080');
    expect(localUrl({ kind: 'consumer', port: 3100 })).toBe('http://127.0.0.1:3100');
    expect(localUrl({ kind: 'grpc', port: 50051 })).toBe('grpc://127.0.0.1:50051');
    expect(localUrl({ kind: 'rest' })).toBeUndefined();
  });
});
