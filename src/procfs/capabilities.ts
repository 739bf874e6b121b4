/**
 * Capability sets from /proc/PID/status (`CapEff:\t000001ffffffffff`, a hex bit mask indexed by the
 * CAP_* numbers of linux/capability.h). Pure: the exporter reads its own status and asks which of
 * the capabilities it needs to inspect other users' processes it lacks.
 */

/** The two the exporter needs: ptrace-read access to /proc/PID/fd, and search of the 0500 fd dir. */
export const NEEDED_CAPABILITIES = { CAP_DAC_READ_SEARCH: 2, CAP_SYS_PTRACE: 19 } as const;
export type NeededCapability = keyof typeof NEEDED_CAPABILITIES;

export interface CapabilitySets {
  effective: bigint;
  permitted: bigint;
  ambient: bigint | null;
}

export function parseCapabilities(statusText: string): CapabilitySets {
  const sets: Record<string, bigint> = {};
  for (const line of statusText.split('\n')) {
    const m = /^Cap(Eff|Prm|Amb):\s*([0-9a-fA-F]{1,16})\s*$/.exec(line);
    if (m) sets[m[1]!] = BigInt(`0x${m[2]}`);
  }
  if (sets.Eff === undefined) throw new Error('status: no CapEff line');
  if (sets.Prm === undefined) throw new Error('status: no CapPrm line');
  return { effective: sets.Eff, permitted: sets.Prm, ambient: sets.Amb ?? null };
}

/** The needed capabilities missing from an effective set, in a fixed order (most important first). */
export function missingCapabilities(effective: bigint): NeededCapability[] {
  const order: NeededCapability[] = ['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH'];
  return order.filter((name) => (effective & (1n << BigInt(NEEDED_CAPABILITIES[name]))) === 0n);
}
