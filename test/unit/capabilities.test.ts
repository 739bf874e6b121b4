import { describe, expect, it } from 'vitest';
import { missingCapabilities, parseCapabilities } from '../../src/procfs/capabilities.js';
import { uninspectableWarning } from '../../src/privileges.js';

const status = (eff: string, amb = '0000000000000000') =>
  `Name:\tlsof-exporter\nUid:\t65534\t65534\t65534\t65534\nCapInh:\t0000000000080004\nCapPrm:\t${eff}\nCapEff:\t${eff}\nCapBnd:\t000001ffffffffff\nCapAmb:\t${amb}\n`;

describe('parseCapabilities', () => {
  it('reads the effective, permitted and ambient masks as numbers', () => {
    const c = parseCapabilities(status('0000000000080004', '0000000000080004'));
    expect(c).toEqual({ effective: 0x80004n, permitted: 0x80004n, ambient: 0x80004n });
  });

  it('leaves ambient unknown on kernels without CapAmb', () => {
    expect(parseCapabilities('CapPrm:\t0\nCapEff:\t0\n').ambient).toBeNull();
  });

  it('fails on a status without CapEff', () => {
    expect(() => parseCapabilities('Name:\tx\nCapPrm:\t0\n')).toThrow(/no CapEff/);
  });
});

describe('missingCapabilities', () => {
  it('finds nothing missing for root (every bit set)', () => {
    expect(missingCapabilities(parseCapabilities(status('000001ffffffffff')).effective)).toEqual([]);
  });

  it('names both when the effective set is empty', () => {
    expect(missingCapabilities(0n)).toEqual(['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH']);
  });

  it('names CAP_SYS_PTRACE (bit 19) alone when only CAP_DAC_READ_SEARCH (bit 2) is held', () => {
    expect(missingCapabilities(0x4n)).toEqual(['CAP_SYS_PTRACE']);
    expect(missingCapabilities(0x80000n)).toEqual(['CAP_DAC_READ_SEARCH']);
  });
});

describe('uninspectableWarning', () => {
  it('names the missing capability and the number of processes', () => {
    expect(uninspectableWarning(['CAP_SYS_PTRACE'], 12)).toMatch(/^missing CAP_SYS_PTRACE: cannot read descriptors of 12 processes of other users/);
  });

  it('blames the namespace or an LSM when both capabilities are held', () => {
    expect(uninspectableWarning([], 1)).toMatch(/although CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH are effective/);
  });
});
