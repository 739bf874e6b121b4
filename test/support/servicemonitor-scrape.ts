/**
 * A ServiceMonitor endpoint translated into the Prometheus scrape_config Prometheus Operator writes for
 * it, for the fields the shipped ServiceMonitors use: path, scheme, tlsConfig (CA from a Secret or
 * ConfigMap of the monitor's namespace, written to a file as the operator mounts it; serverName;
 * insecureSkipVerify), basicAuth (user and password read from Secrets, inlined as the operator does) and
 * relabelings. Any other field throws, so a field added to a manifest cannot be silently left out of
 * the proof. Targets are static (no Kubernetes discovery here); `meta` gives them the __meta_ labels
 * discovery would, for the relabelings to act on.
 */
import fs from 'node:fs';
import path from 'node:path';

interface KeyRef {
  name: string;
  key: string;
}

export interface ScrapeInputs {
  job: string;
  target: string;
  /** Secrets of the monitor's namespace: name -> key -> value. */
  secrets: Map<string, { data: Record<string, Buffer> }>;
  /** Where CA files are written. */
  dir: string;
  meta?: Record<string, string>;
  /** The endpoint's interval and scrapeTimeout, shortened for a test. */
  interval: string;
}

const HANDLED = new Set(['port', 'path', 'interval', 'scrapeTimeout', 'scheme', 'tlsConfig', 'basicAuth', 'relabelings']);

function secretValue(inputs: ScrapeInputs, ref: KeyRef): Buffer {
  const value = inputs.secrets.get(ref.name)?.data[ref.key];
  if (!value) throw new Error(`Secret ${ref.name} has no key ${ref.key}`);
  return value;
}

function tlsConfig(inputs: ScrapeInputs, t: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(t)) {
    if (field === 'serverName') out.server_name = value;
    else if (field === 'insecureSkipVerify') out.insecure_skip_verify = value;
    else if (field === 'ca') {
      const ca = value as { secret?: KeyRef; configMap?: KeyRef };
      const ref = ca.secret ?? ca.configMap;
      if (!ref) throw new Error('tlsConfig.ca names neither a Secret nor a ConfigMap');
      const file = path.join(inputs.dir, `${inputs.job}-${ref.name}-${ref.key}`);
      fs.writeFileSync(file, secretValue(inputs, ref));
      out.ca_file = file;
    } else throw new Error(`tlsConfig.${field} is not translated`);
  }
  return out;
}

const RELABEL_FIELDS: Record<string, string> = { sourceLabels: 'source_labels', targetLabel: 'target_label', action: 'action', regex: 'regex', replacement: 'replacement', separator: 'separator' };

function relabelings(list: Record<string, unknown>[]): Record<string, unknown>[] {
  return list.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([field, value]) => {
        const name = RELABEL_FIELDS[field];
        if (!name) throw new Error(`relabelings[].${field} is not translated`);
        return [name, value];
      }),
    ),
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function scrapeConfigOf(endpoint: Record<string, any>, inputs: ScrapeInputs): Record<string, unknown> {
  for (const field of Object.keys(endpoint)) if (!HANDLED.has(field)) throw new Error(`endpoint field ${field} is not translated`);
  const basicAuth = endpoint.basicAuth as { username: KeyRef; password: KeyRef } | undefined;
  return {
    job_name: inputs.job,
    scrape_interval: inputs.interval,
    scrape_timeout: inputs.interval,
    metrics_path: endpoint.path ?? '/metrics',
    scheme: endpoint.scheme ?? 'http',
    ...(endpoint.tlsConfig ? { tls_config: tlsConfig(inputs, endpoint.tlsConfig) } : {}),
    ...(basicAuth ? { basic_auth: { username: secretValue(inputs, basicAuth.username).toString(), password: secretValue(inputs, basicAuth.password).toString() } } : {}),
    ...(endpoint.relabelings ? { relabel_configs: relabelings(endpoint.relabelings) } : {}),
    static_configs: [{ targets: [inputs.target], labels: inputs.meta ?? {} }],
  };
}
