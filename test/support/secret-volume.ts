/**
 * Secrets the way the cluster makes and mounts them, without a cluster: a kustomization's
 * secretGenerator read as kustomize reads it (`files: [key=path]`, or `[path]` keyed by its base name),
 * and a secret volume laid out as the kubelet's atomic writer lays it out (the keys in a timestamped
 * folder with the volume's mode, `..data` pointing at it, and each key a symlink through `..data`), so
 * the exporter reads its web config through the same symlinks as in a pod.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface GeneratedSecret {
  name: string;
  namespace: string | undefined;
  data: Record<string, Buffer>;
}

interface SecretGeneratorEntry {
  name: string;
  namespace?: string;
  files?: string[];
  literals?: string[];
  envs?: string[];
}

/** name -> Secret of every secretGenerator entry of `dir`/kustomization.yaml, read from `dir`. */
export function generatedSecrets(dir: string): Map<string, GeneratedSecret> {
  const k = parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as { secretGenerator?: SecretGeneratorEntry[] };
  const out = new Map<string, GeneratedSecret>();
  for (const g of k.secretGenerator ?? []) {
    if (g.literals || g.envs) throw new Error(`secretGenerator ${g.name}: only files are read here`);
    const data: Record<string, Buffer> = {};
    for (const entry of g.files ?? []) {
      const [key, file] = entry.includes('=') ? (entry.split('=', 2) as [string, string]) : [path.basename(entry), entry];
      if (key in data) throw new Error(`secretGenerator ${g.name}: key ${key} twice`);
      data[key] = fs.readFileSync(path.join(dir, file));
    }
    out.set(g.name, { name: g.name, namespace: g.namespace, data });
  }
  return out;
}

/** The keys in a new timestamped folder of the volume, with the volume's mode; returns its name. */
function writeStamped(dir: string, data: Record<string, Buffer>, defaultMode: number): string {
  const stamp = `..${new Date().toISOString().replace(/[-:.]/g, '_').replace('T', '_').replace('Z', '')}_${process.hrtime.bigint()}`;
  fs.mkdirSync(path.join(dir, stamp), { recursive: true });
  for (const [key, value] of Object.entries(data)) {
    fs.writeFileSync(path.join(dir, stamp, key), value, { mode: defaultMode });
    fs.chmodSync(path.join(dir, stamp, key), defaultMode); // the umask must not narrow it further
  }
  return stamp;
}

/** Lays `data` out under `dir` as the kubelet mounts a secret volume with `defaultMode`; returns `dir`. */
export function mountSecretVolume(dir: string, data: Record<string, Buffer>, defaultMode: number): string {
  fs.symlinkSync(writeStamped(dir, data, defaultMode), path.join(dir, '..data'));
  for (const key of Object.keys(data)) fs.symlinkSync(path.join('..data', key), path.join(dir, key));
  return dir;
}

/** A changed Secret (same keys) as the kubelet applies it: a new folder, `..data` swapped atomically, the old folder removed. */
export function updateSecretVolume(dir: string, data: Record<string, Buffer>, defaultMode: number): void {
  const old = fs.readlinkSync(path.join(dir, '..data'));
  fs.symlinkSync(writeStamped(dir, data, defaultMode), path.join(dir, '..data_tmp'));
  fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  fs.rmSync(path.join(dir, old), { recursive: true });
}
