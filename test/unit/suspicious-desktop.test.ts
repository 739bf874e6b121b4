/**
 * The false positives of lsof_suspicious_processes on the desktop-like process list
 * (test/fixtures/desktop/processes.tsv, docs/metrics.md "False positives, measured"): exactly these
 * benign processes are flagged, so a change of a rule shows its effect here and in the docs' figures.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { desktopRecords, fpReport } from '../../bench/suspicious-fp.js';

const LIST = fs.readFileSync(fileURLToPath(new URL('../fixtures/desktop/processes.tsv', import.meta.url)), 'utf8');

describe('suspicious reasons on a desktop-like process list', () => {
  const report = fpReport(desktopRecords(LIST));

  it('flags a person\'s own toolchains, an AppImage, go run, runc\'s memfd and shells in dot-directories, and nothing else', () => {
    expect(report.processes).toBe(121);
    expect(report.flagged).toEqual([
      'root runc /memfd:runc_cloned:/proc/self/exe: memfd_executable',
      'alice vim /usr/bin/vim.basic: hidden_cwd',
      'alice bash /usr/bin/bash: hidden_cwd',
      'alice obsidian /tmp/.mount_ObsidiA1b2C3/obsidian: hidden_executable,world_writable_executable',
      'alice steam /home/alice/.local/share/Steam/ubuntu12_32/steam: hidden_executable,hidden_cwd,masquerading_name',
      'alice steamwebhelper /home/alice/.local/share/Steam/ubuntu12_64/steamwebhelper: hidden_executable,hidden_cwd',
      'alice dropbox /home/alice/.dropbox-dist/dropbox-lnx.x86_64-195.4.4995/dropbox: hidden_executable,masquerading_name',
      'alice jetbrains-toolb /home/alice/.local/share/JetBrains/Toolbox/bin/jetbrains-toolbox: hidden_executable',
      'alice node /home/alice/.vscode-server/bin/0123abcd/node: hidden_executable,masquerading_name',
      'alice node /home/alice/.nvm/versions/node/v20.11.0/bin/node: hidden_executable,masquerading_name',
      'alice MainThread /home/alice/.nvm/versions/node/v24.1.0/bin/node: hidden_executable',
      'alice python3.12 /home/alice/.pyenv/versions/3.12.1/bin/python3.12: hidden_executable,masquerading_name',
      'alice python3 /home/alice/miniconda3/bin/python3.11: masquerading_name',
      'alice rust-analyzer /home/alice/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rust-analyzer: hidden_executable',
      'alice cargo /home/alice/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/cargo: hidden_executable',
      'alice main /tmp/go-build2948120/b001/exe/main: world_writable_executable',
    ]);
  });

  it('counts per reason what docs/metrics.md reports', () => {
    expect(report.byReason).toEqual({
      hidden_executable: 11,
      hidden_cwd: 4,
      world_writable_executable: 2,
      deleted_executable: 0,
      memfd_executable: 1,
      kernel_thread_name: 0,
      masquerading_name: 6,
    });
  });

  it('flags none of the programs that rename themselves from a system directory', () => {
    const renamed = desktopRecords(LIST).filter((p) => p.exe.startsWith('/usr/') && p.comm !== p.exe.split('/').pop()!.slice(0, 15));
    expect(renamed.length).toBeGreaterThan(15);
    for (const p of renamed) expect(report.flagged.some((f) => f.startsWith(`${p.user} ${p.comm} ${p.exe}:`)) && !p.cwd.includes('/.'), p.comm).toBe(false);
  });
});
