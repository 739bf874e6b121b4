/**
 * PromQL building blocks shared by the listener alerts: the identity of a listener, its
 * `process/user/address:port` name, and the subtraction of listeners declared expected.
 */

/**
 * What makes a listener the same listener. Not netns, container_id, pod_uid (they change when a pod
 * is rescheduled) nor executable (it changes when a binary is upgraded): see docs/metrics.md.
 */
export const LISTENER_IDENTITY = ['instance', 'job', 'protocol', 'address', 'port', 'user', 'process'] as const;

export const IDENTITY = LISTENER_IDENTITY.join(', ');

/** What makes an instance the same instance: the target, as Prometheus labels it. */
export const INSTANCE_IDENTITY = 'instance, job';

/** Listener series grouped to their identity, keeping the executable path for the alert text. */
export function groupedListeners(rangeOrSelector: string): string {
  return `group by (${IDENTITY}, executable) (${rangeOrSelector})`;
}

/**
 * Adds the label `listener="process/user/address:port"` ("[addr]:port" for IPv6). PromQL cannot
 * concatenate two labels with a conditional separator, so address and port are joined with "|" first
 * and the "|" is then replaced with ":" (IPv4) or "]:" behind a "[" (IPv6, whose address has a colon).
 */
export function withListenerName(vector: string): string {
  const steps = [
    '"listener", "|", "address", "port"',
    '"listener", "[$1]:$2", "listener", "(.*:.*)[|]([0-9]+)"', // IPv6: the address holds a colon
    '"listener", "$1:$2", "listener", "([^:|]*)[|]([0-9]+)"', // IPv4
    '"listener", "/", "process", "user", "listener"',
  ];
  const fns = ['label_join', 'label_replace', 'label_replace', 'label_join'];
  // Innermost call first; each wraps the previous one, one indentation level out.
  let expr = indent(vector, steps.length);
  steps.forEach((args, i) => {
    const depth = steps.length - 1 - i;
    expr = `${indent(`${fns[i]}(`, depth)}\n${expr},\n${indent(`${args})`, depth + 1)}`;
  });
  return expr;
}

export function indent(text: string, depth: number): string {
  return text
    .split('\n')
    .map((line) => '  '.repeat(depth) + line)
    .join('\n');
}

export const EXPECTED_LISTENER = 'lsof:expected_listener';

/**
 * Removes listeners declared in alerts/expected-listeners.rules.yml. A declaration is a series with
 * static labels `user`, `protocol` and optionally `port` (absent: any port) and `instance` (absent:
 * every instance). PromQL matches exact label sets only, so each combination is one `unless`.
 */
export function unlessExpected(vector: string, window: string): string {
  const scopes: [string, string][] = [
    ['user, protocol, port', 'instance="", port!=""'],
    ['instance, user, protocol, port', 'instance!="", port!=""'],
    ['user, protocol', 'instance="", port=""'],
    ['instance, user, protocol', 'instance!="", port=""'],
  ];
  return [vector, ...scopes.map(([on, scope]) => `unless on (${on}) last_over_time(${EXPECTED_LISTENER}{${scope}}[${window}])`)].join('\n');
}

/** `a|b|c` as an anchored regex alternation matching exactly these values. */
export function exactAlternation(values: string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
