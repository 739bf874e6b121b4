/**
 * A local attacker working against the sensor (issue 14): a flood of listeners by one account, and a
 * listener no process holds while the exporter can see every process (a hidden process: a bind mount
 * over /proc/PID, a rootkit) rather than a kernel socket on the allow-list.
 */
import { metric } from '../names.js';
import { exactAlternation } from '../listener-promql.js';
import { alertingRule, type RuleGroup } from '../rule.js';
import type { Tunables } from '../tunables.js';

export function evasionGroup(t: Tunables): RuleGroup {
  return {
    name: 'lsof-exporter.evasion',
    rules: [
      alertingRule(
        {
          alert: 'LsofListenerFlood',
          expr: `max by (instance, job, user) (${metric('listening_sockets')}) > ${t.listenerFlood.sockets}`,
          for: t.listenerFlood.for,
          severity: 'warning',
          summary: '{{ $labels.user }} holds {{ $value }} listening sockets on {{ $labels.instance }}.',
          description:
            `The account {{ $labels.user }} has had more than ${t.listenerFlood.sockets} listening sockets on {{ $labels.instance }} for ` +
            `${t.listenerFlood.for}: a flood of listeners (to crowd the series cap, or a scan of the host) or a runaway service.`,
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofProcessHiddenByMount',
          expr: `max by (instance, job, pid) (${metric('procfs_overmounts')}) > 0`,
          for: '0s',
          severity: 'critical',
          summary: 'Process {{ $labels.pid }} is hidden by a mount over /proc/{{ $labels.pid }} on {{ $labels.instance }}.',
          description:
            'Something is mounted over /proc/{{ $labels.pid }} on {{ $labels.instance }}: ps, lsof and the exporter no longer see that process, ' +
            'while its sockets stay in the kernel tables. A known hiding technique with no benign use.',
        },
        t.runbookUrl,
      ),
      alertingRule(
        {
          alert: 'LsofHolderlessListener',
          expr: holderlessExpr(t.holderlessListener.kernelListeners),
          for: t.holderlessListener.for,
          severity: 'critical',
          summary: 'Nothing visible holds {{ $labels.protocol }} port {{ $labels.port }} ({{ $labels.user }}) on {{ $labels.instance }}.',
          description:
            'A {{ $labels.protocol }} socket listens on {{ $labels.address }}:{{ $labels.port }} (created by {{ $labels.user }}) on {{ $labels.instance }}, ' +
            `no process the exporter can see holds it, and the exporter is not blind (no uninspectable process) for ${t.holderlessListener.for}: ` +
            'a hidden process (a mount over /proc/PID, a rootkit), unless it is a kernel listener missing from the allow-list.',
        },
        t.runbookUrl,
      ),
    ],
  };
}

/**
 * Holderless listeners (value 0, process="") of an exporter that sees every process, less the kernel's
 * own listeners (NFS, VXLAN, WireGuard ... : tunables), which no process holds by design.
 */
export function holderlessExpr(kernel: Tunables['holderlessListener']['kernelListeners']): string {
  const allowed = kernel.map((k) => `protocol="${k.protocol}",port=~"${exactAlternation(k.ports.map(String))}"`);
  const unlessKernel = allowed.map((sel) => `unless on (instance, job, protocol, port) ${metric('listener_processes')}{${sel}}`);
  return [
    `group by (instance, job, protocol, family, address, port, user, netns) (${metric('listener_processes')}{process=""})`,
    ...unlessKernel,
    `unless on (instance, job) (${metric('scan_uninspectable_processes')} > 0)`,
  ].join('\n');
}
