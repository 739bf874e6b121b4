/** Host hygiene: deleted files pinning disk, deleted executables, descriptor limits. */
import { metric } from '../names.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

// Group families carry the labels of --group.by; alert on the default grouping so every setting agrees.
const GROUP = 'instance, job, user, process';

export function filesGroup(t: Tunables): RuleGroup {
  return {
    name: 'lsof-exporter.files',
    rules: [
      alertingRule(
        {
          alert: 'LsofDeletedFilesPinningSpace',
          expr: `sum by (${GROUP}) (${metric('deleted_open_bytes')}) > ${t.deletedOpenBytes.thresholdBytes}`,
          for: t.deletedOpenBytes.for,
          severity: 'warning',
          summary: '{{ $labels.process }} ({{ $labels.user }}) holds {{ $value | humanize1024 }}B of deleted files open on {{ $labels.instance }}.',
          description:
            'Processes {{ $labels.process }} of user {{ $labels.user }} on {{ $labels.instance }} hold deleted files open that pin ' +
            `{{ $value | humanize1024 }}B of disk space (threshold ${t.deletedOpenBytes.thresholdBytes} bytes). The space returns only when they close them.`,
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofDeletedExecutableRunning',
          // A memfd executable (/memfd:NAME) is deleted too: LsofMemfdExecutable (suspicious.ts) has it.
          expr: `sum by (${GROUP}, executable) (${metric('deleted_executable_processes')}{executable!~"/memfd:.*"}) > 0`,
          for: t.deletedExecutable.for,
          severity: 'warning',
          summary: '{{ $labels.process }} ({{ $labels.user }}) runs the deleted executable {{ $labels.executable }} on {{ $labels.instance }}.',
          description:
            '{{ $value }} process(es) {{ $labels.process }} of user {{ $labels.user }} on {{ $labels.instance }} run {{ $labels.executable }}, ' +
            'which has been deleted: left over from an upgrade without a restart, or a program that deleted itself after starting.',
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofFdLimitNear',
          expr: `max by (${GROUP}) (${metric('fd_limit_utilization_max_ratio')}) > ${t.fdLimit.utilizationRatio}`,
          for: t.fdLimit.for,
          severity: 'warning',
          summary: '{{ $labels.process }} ({{ $labels.user }}) uses {{ $value | humanizePercentage }} of its fd limit on {{ $labels.instance }}.',
          description:
            'A process {{ $labels.process }} of user {{ $labels.user }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} of its soft ' +
            `RLIMIT_NOFILE open (threshold ${t.fdLimit.utilizationRatio}); at the limit, accept() and open() fail with EMFILE.`,
        },
        t.runbookUrl,
      ),
    ],
  };
}
