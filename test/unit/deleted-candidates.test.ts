import { describe, expect, it } from 'vitest';
import type { FdTable } from '../../src/procfs/fd-table.js';
import { emptyFdTypeCounts } from '../../src/procfs/fd-target.js';
import { boundDeletedCandidates, droppedCandidates, MAX_PER_PROCESS } from '../../src/scan/deleted-candidates.js';

function tableWith(candidates: { fd: number; rawPath: string }[]): FdTable {
  const none = new Float64Array(0);
  return { count: candidates.length, nonSocket: emptyFdTypeCounts(), socketInodes: none, socketFds: new Int32Array(0), socketProtocols: new Uint8Array(0), deletedCandidates: candidates, memfdFds: new Int32Array(0) };
}

describe('boundDeletedCandidates', () => {
  it('keeps a table under the bound as it is, with nothing dropped', () => {
    const t = tableWith([{ fd: 3, rawPath: '/a' }, { fd: 4, rawPath: '/b' }]);
    boundDeletedCandidates(t);
    expect(t.deletedCandidates).toEqual([{ fd: 3, rawPath: '/a' }, { fd: 4, rawPath: '/b' }]);
    expect(droppedCandidates(t)).toBe(0);
  });

  it('keeps the first candidates up to the bound and counts the rest as dropped', () => {
    const n = MAX_PER_PROCESS + 10;
    const t = tableWith(Array.from({ length: n }, (_, i) => ({ fd: i + 3, rawPath: `/tmp/${i}` })));
    boundDeletedCandidates(t);
    expect(t.deletedCandidates).toHaveLength(MAX_PER_PROCESS);
    expect(t.deletedCandidates[0]).toEqual({ fd: 3, rawPath: '/tmp/0' });
    expect(droppedCandidates(t)).toBe(10);
  });
});
