/**
 * Strict manifest validation: the kubernetes-models validators check types but let unknown fields
 * through (`hostPid: true` or `readOnlyRootFS` pass), while the API server drops them silently, so a
 * typo quietly loses a protection. Here each manifest becomes a typed object literal in a TypeScript
 * file, `const m: IDaemonSet = {...}`, and tsc's excess-property check rejects any field the model's
 * interface does not declare, at any depth, naming it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** apiVersion -> module folder of its interfaces. */
const MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

export interface Manifest {
  file: string;
  doc: { apiVersion: string; kind: string };
}

/** tsc's complaints about the manifests, one line each naming the manifest; empty when all are exact. */
export function strictErrors(manifests: Manifest[]): string[] {
  // under the checkout, so the models resolve from its node_modules
  const cache = path.join(ROOT, 'node_modules/.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'lsof-strict-manifests-'));
  try {
    const lines = manifests.map((m, i) => {
      const module = MODULES[m.doc.apiVersion];
      if (!module) throw new Error(`${m.file}: no model for apiVersion ${m.doc.apiVersion}`);
      return `import type { I${m.doc.kind} as T${i} } from '${module}/${m.doc.kind}';\nexport const m${i}: T${i} = ${JSON.stringify(m.doc)};`;
    });
    fs.writeFileSync(path.join(dir, 'manifests.ts'), lines.join('\n') + '\n');
    const tsconfig = { compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, types: [] }, files: ['manifests.ts'] };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    return r.stdout
      .split('\n')
      .filter((l) => /error TS\d+/.test(l))
      .map((l) => {
        const line = Number(/\((\d+),\d+\)/.exec(l)?.[1] ?? 0);
        const m = manifests[Math.floor((line - 1) / 2)];
        return `${m?.file ?? '?'} (${m?.doc.kind ?? '?'}): ${l.replace(/^.*error TS\d+: /, '')}`;
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
