/**
 * What a fixture tree alone cannot show, and root on the real /proc can: the descriptor count the
 * kernel reports as the size of /proc/PID/fd (Linux >= 6.2), what stat(2) through an fd link says of
 * an unlinked file (link count 0, size, allocated blocks), and a folder we may not read (EACCES).
 * The fixture's `fixture.json` (written by makeFakeProc) says so; this ProcReader answers from it.
 * Descriptor folders are refused through procfsOver's hook, so both descriptor paths see the refusal.
 */
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { ProcReader } from '../../src/procfs/reader.js';
import type { ProcFs } from '../../src/procfs/proc.js';
import { procfsOver } from './procfs.js';

/** stat(2) as the kernel would answer through an fd link (a regular file). */
export interface FakeStat {
  nlink: number;
  size: number;
  /** 512-byte blocks allocated; defaults to the size rounded up. */
  blocks?: number;
  dev: number;
  ino: number;
}

export interface FixtureMeta {
  /** Report the fd folder's size as its entry count, as Linux >= 6.2 does. */
  fdCounts: boolean;
  /** Paths relative to the procfs root (e.g. "100/fd/4") -> what stat says of the open file. */
  stats: Record<string, FakeStat>;
  /** Paths relative to the procfs root (e.g. "100/fd") whose reads fail with EACCES. */
  denied: string[];
  /**
   * What readlink says of PID/root: "/" unless given here (a chroot, e.g. {"100": "/srv/jail"}); the
   * fixture's link itself points at a real directory, so lookups through it reach that tree.
   */
  rootLinks?: Record<string, string>;
}

export const META_FILE = 'fixture.json';

function denied(file: string): Error {
  return Object.assign(new Error(`EACCES: permission denied, ${file}`), { code: 'EACCES' });
}

export class FixtureReader extends ProcReader {
  private readonly meta: FixtureMeta;

  constructor(procRoot: string, rootfs: string) {
    super(procRoot, rootfs);
    const file = path.join(procRoot, '..', META_FILE);
    this.meta = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureMeta) : { fdCounts: false, stats: {}, denied: [] };
  }

  private relative(file: string): string {
    return path.relative(this.procRoot, file);
  }

  isDenied(file: string): boolean {
    return this.meta.denied.includes(this.relative(file));
  }

  override listDir(dir: string): string[] {
    if (this.isDenied(dir)) throw denied(dir);
    return super.listDir(dir);
  }

  override readLinkRaw(file: string): string {
    const rel = this.relative(file);
    const m = /^(\d+)\/root$/.exec(rel);
    if (m) {
      super.readLinkRaw(file); // ENOENT when the fixture has no root link
      return this.meta.rootLinks?.[m[1]!] ?? '/';
    }
    return super.readLinkRaw(file);
  }

  override statSize(file: string): number {
    if (this.isDenied(file)) throw denied(file);
    if (this.meta.fdCounts && file.endsWith('/fd')) return super.listDir(file).filter((n) => /^\d+$/.test(n)).length;
    return super.statSize(file);
  }

  override stat(file: string): BigIntStats {
    const fake = this.meta.stats[this.relative(file)];
    if (!fake) return super.stat(file);
    const blocks = fake.blocks ?? Math.ceil(fake.size / 512);
    return {
      nlink: BigInt(fake.nlink),
      size: BigInt(fake.size),
      blocks: BigInt(blocks),
      dev: BigInt(fake.dev),
      ino: BigInt(fake.ino),
      isFile: () => true,
    } as unknown as BigIntStats;
  }
}

/** The fixture's procfs handle on either descriptor path, refusing the denied fd folders on both. */
export function fixtureProcFs(fixture: { procfs: string; rootfs: string }, native = true): ProcFs {
  const reader = new FixtureReader(fixture.procfs, fixture.rootfs);
  return procfsOver(reader, {
    native,
    beforeFdRead: (dir) => {
      if (reader.isDenied(dir)) throw denied(dir);
    },
  });
}
