/**
 * deploy/systemd: the unit passes `systemd-analyze verify` without a single complaint (a broken copy
 * must get one, so the check can fail), its offline `systemd-analyze security` exposure is the one
 * the README states, and sysusers creates the user it runs as.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNIT = path.join(ROOT, 'deploy/systemd/lsof-exporter.service');
const SYSUSERS = path.join(ROOT, 'deploy/systemd/lsof-exporter.sysusers.conf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-systemd-'));

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function analyze(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The unit's directives as key -> values (a key may repeat). */
function directives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv) m.set(kv[1]!, [...(m.get(kv[1]!) ?? []), kv[2]!]);
  }
  return m;
}

describe('systemd unit', () => {
  it('passes systemd-analyze verify with nothing to say', () => {
    const r = analyze(['verify', '--man=no', UNIT]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a misspelt directive makes verify complain (the check above can fail)', () => {
    const bad = path.join(tmp, 'lsof-exporter.service');
    fs.writeFileSync(bad, fs.readFileSync(UNIT, 'utf8').replace('ProtectSystem=strict', 'ProtectSytem=strict'));
    expect(analyze(['verify', '--man=no', bad]).stderr).toMatch(/Unknown key 'ProtectSytem'/);
  });

  it('grants exactly the two capabilities and the hardening the README promises', () => {
    const d = directives(fs.readFileSync(UNIT, 'utf8'));
    expect(d.get('User')).toEqual(['lsof-exporter']);
    expect(d.get('AmbientCapabilities')).toEqual(['CAP_SYS_PTRACE CAP_DAC_READ_SEARCH']);
    expect(d.get('CapabilityBoundingSet')).toEqual(['CAP_SYS_PTRACE CAP_DAC_READ_SEARCH']);
    for (const [k, v] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['SystemCallArchitectures', 'native'],
    ]) {
      expect(d.get(k!), k).toEqual([v]);
    }
    expect(d.get('RestrictAddressFamilies')?.[0]).toMatch(/^AF_INET AF_INET6/);
    expect(d.get('SystemCallFilter')).toContain('@system-service');
    expect(d.get('MemoryMax')?.[0]).toMatch(/^\d+M$/);
    // the process table must stay visible: the scan is the whole point
    expect(d.get('ProtectProc')).toEqual(['default']);
    expect(d.has('ProcSubset')).toBe(false);
    const mainJs = d.get('ExecStart')![0]!.split(' ').find((w) => w.endsWith('/main.js'))!;
    expect(fs.existsSync(path.join(ROOT, mainJs.replace('/opt/lsof-exporter/', '')))).toBe(true);
  });

  it('hides home folders and the usual secrets, which CAP_DAC_READ_SEARCH could otherwise read', () => {
    const d = directives(fs.readFileSync(UNIT, 'utf8'));
    const hidden = d.get('InaccessiblePaths')!.join(' ').split(' ').map((p) => p.replace(/^-/, ''));
    expect(hidden).toEqual(expect.arrayContaining(['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/ssh', '/etc/ssl/private', '/etc/kubernetes', '/var/lib/kubelet']));
    // what the exporter reads must stay visible
    for (const p of hidden) expect(['/proc', '/etc/passwd', '/etc'].some((needed) => needed === p || needed.startsWith(`${p}/`)), p).toBe(false);
    // systemd's own verdict: ProtectHome=read-only was marked as an exposure, yes is not
    const r = analyze(['security', '--offline=yes', UNIT]);
    expect(r.stdout).toMatch(/✓ ProtectHome=/);
  });

  it('sets the descriptor limit node runs with: soft and hard alike, as node raises soft to hard', () => {
    const d = directives(fs.readFileSync(UNIT, 'utf8'));
    const [limit] = d.get('LimitNOFILE')!;
    expect(limit).toMatch(/^\d+$/); // one number: soft = hard
    expect(Number(limit)).toBeGreaterThanOrEqual(512 + 256); // --web.max-connections default + the scans' reserve
    // node raises its soft limit with prlimit64, which no group the unit denies contains
    const denied = d.get('SystemCallFilter')!.filter((f) => f.startsWith('~')).flatMap((f) => f.slice(1).split(' '));
    for (const group of denied) expect(analyze(['syscall-filter', group]).stdout, group).not.toMatch(/^\s+prlimit64$/m);
    expect(analyze(['syscall-filter', '@default']).stdout).toMatch(/^\s+prlimit64$/m);
  });

  it('has the exposure score stated in the README, at most 2.1', () => {
    const r = analyze(['security', '--offline=yes', UNIT]);
    const score = /Overall exposure level for lsof-exporter\.service: (\d+\.\d) (\w+)/.exec(r.stdout);
    expect(score, r.stdout + r.stderr).not.toBeNull();
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`exposure level ${score![1]} (${score![2]})`);
    expect(Number(score![1])).toBeLessThanOrEqual(2.1);
  });

  it('sysusers creates the system user it runs as', () => {
    const root = path.join(tmp, 'root');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    const r = spawnSync('systemd-sysusers', [`--root=${root}`, SYSUSERS], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8')).toMatch(/^lsof-exporter:x:\d+:\d+:.*:\/usr\/sbin\/nologin$/m);
  });
});
