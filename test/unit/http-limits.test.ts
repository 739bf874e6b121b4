import { describe, expect, it } from 'vitest';
import { connectionCap, NON_CONNECTION_DESCRIPTORS, parseOpenFilesLimit } from '../../src/http/descriptor-budget.js';
import { sanValues } from '../../src/http/client-sans.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             95520                95520                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('descriptor budget', () => {
  it('reads the soft open-files limit of a /proc/PID/limits text', () => {
    expect(parseOpenFilesLimit(LIMITS)).toBe(1024);
  });

  it('says nothing for an unlimited or missing limit', () => {
    expect(parseOpenFilesLimit(LIMITS.replace('1024 ', 'unlimited '))).toBeNull();
    expect(parseOpenFilesLimit('')).toBeNull();
  });

  it('keeps the requested cap when the limit leaves room for the scans', () => {
    expect(connectionCap(512, 1024)).toBe(512);
    expect(connectionCap(512, null)).toBe(512);
  });

  it('lowers the cap so connections never take the descriptors kept for scans', () => {
    expect(connectionCap(5000, 1024)).toBe(1024 - NON_CONNECTION_DESCRIPTORS);
    expect(connectionCap(512, 100)).toBe(1);
  });
});

describe('subjectAltName values', () => {
  it('picks the values of one kind', () => {
    expect(sanValues('DNS:a.example, URI:spiffe://cluster/ns/monitoring, IP Address:127.0.0.1', 'URI')).toEqual(['spiffe://cluster/ns/monitoring']);
  });

  it('decodes quoted values instead of splitting them at their commas', () => {
    expect(sanValues('URI:"spiffe://x/a, DNS:evil", DNS:b', 'URI')).toEqual(['spiffe://x/a, DNS:evil']);
    expect(sanValues('URI:"spiffe://x/a, DNS:evil", DNS:b', 'DNS')).toEqual(['b']);
  });
});
