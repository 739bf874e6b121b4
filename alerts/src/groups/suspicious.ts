/**
 * Suspicious executables and working directories (lsof_suspicious_processes, docs/metrics.md): one
 * alert per reason, each with its own `for` (tunables.suspicious), since the benign cases differ in
 * how long they last (runc's memfd copy lives seconds, a shell in ~/.config minutes). Deleted
 * executables keep their alert in files.ts (LsofDeletedExecutableRunning).
 */
import { metric } from '../names.js';
import { alertingRule, type AlertSpec, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

const BY = 'instance, job, user, process, executable';

interface ReasonAlert {
  alert: string;
  reason: string;
  for: string;
  severity: AlertSpec['severity'];
  /** What the processes do, after "{{ $value }} process(es) NAME of user USER on INSTANCE". */
  what: string;
  /** Why it matters, and what is benign. */
  why: string;
}

function reasonRule(a: ReasonAlert, runbookUrl: string) {
  return alertingRule(
    {
      alert: a.alert,
      expr: `sum by (${BY}) (${metric('suspicious_processes')}{reason="${a.reason}"}) > 0`,
      for: a.for,
      severity: a.severity,
      summary: `{{ $labels.process }} ({{ $labels.user }}) ${a.what} on {{ $labels.instance }}.`,
      description: `{{ $labels.process }} ({{ $value }} process(es) of user {{ $labels.user }}) on {{ $labels.instance }} ${a.what}, for ${a.for} now. ${a.why}`,
    },
    runbookUrl,
  );
}

export function suspiciousGroup(t: Tunables): RuleGroup {
  const s = t.suspicious;
  const alerts: ReasonAlert[] = [
    {
      alert: 'LsofHiddenExecutable',
      reason: 'hidden_executable',
      for: s.hiddenExecutableFor,
      severity: 'warning',
      what: 'runs {{ $labels.executable }} from a hidden directory',
      why: 'A program in a dot-directory is where dropped tools hide (public_html/.m/bash); user-installed toolchains (~/.nvm, ~/.cargo, ~/.vscode-server) are the benign case.',
    },
    {
      alert: 'LsofHiddenWorkingDirectory',
      reason: 'hidden_cwd',
      for: s.hiddenCwdFor,
      severity: 'warning',
      what: 'works in a hidden directory (executable {{ $labels.executable }})',
      why: 'A long-running process whose working directory is a dot-directory: where a dropped program keeps its files; a shell left in ~/.config is the benign case.',
    },
    {
      alert: 'LsofWorldWritableExecutable',
      reason: 'world_writable_executable',
      for: s.worldWritableExecutableFor,
      severity: 'warning',
      what: 'runs {{ $labels.executable }} from under a world-writable directory',
      why: 'Any account can create programs there (/tmp, /var/tmp, /dev/shm or any directory with o+w): the usual drop point of an exploit; go run, AppImages and test suites are the benign case.',
    },
    {
      alert: 'LsofMemfdExecutable',
      reason: 'memfd_executable',
      for: s.memfdExecutableFor,
      severity: 'warning',
      what: 'runs an executable from memory ({{ $labels.executable }})',
      why: 'The program never had a file (memfd_create + execve): fileless malware does this; runc copies itself so for seconds, a few sandboxes for good.',
    },
    {
      alert: 'LsofKernelThreadNameImpersonation',
      reason: 'kernel_thread_name',
      for: s.kernelThreadNameFor,
      severity: 'critical',
      what: 'is named like a kernel thread but runs {{ $labels.executable }}',
      why: 'Kernel threads have no executable: a user process named kworker/0:1 or [kthreadd] hides among them in ps.',
    },
    {
      alert: 'LsofMasqueradingProcessName',
      reason: 'masquerading_name',
      for: s.masqueradingNameFor,
      severity: 'critical',
      what: 'is named like a system program but runs {{ $labels.executable }}',
      why: 'A program of that name exists in /usr/bin, /usr/sbin, /bin or /sbin, while this one runs from outside the system directories: a dropped program posing as a harmless one.',
    },
  ];
  return { name: 'lsof-exporter.suspicious', rules: alerts.map((a) => reasonRule(a, t.runbookUrl)) };
}
