// npm pack and npm publish run this (package.json "prepack", after the build): a packed copy has no
// .git, so the commit it is packed from goes into REVISION beside package.json, where src/revision.ts
// finds it for lsof_exporter_build_info{revision}. "postpack" runs it with --remove: a checkout answers
// from .git, and a REVISION left behind would go stale with the next commit.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readGitRevision } from '../dist/src/revision.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const file = `${root}REVISION`;

if (process.argv.includes('--remove')) {
  fs.rmSync(file, { force: true });
} else {
  const revision = readGitRevision(root);
  if (revision) fs.writeFileSync(file, `${revision}\n`);
  else console.error('write-revision: not a git checkout; the packed copy reports revision="unknown"');
}
