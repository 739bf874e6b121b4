/**
 * The one-process view (and the open-file search) show file paths /metrics never does, so they are
 * served only when --web.ui.process-view is on, and, when the exporter listens beyond loopback, only
 * while the web config file sets basic auth users. Checked per request: a web config reload that
 * drops the users closes the view again.
 */
export interface ProcessViewPolicy {
  enabled: boolean;
  /** The listen address is loopback (127.0.0.0/8, ::1, localhost). */
  loopback: boolean;
  /** Basic auth users are configured now. */
  authConfigured: () => boolean;
}

export function processViewRefusal(p: ProcessViewPolicy): string | null {
  if (!p.enabled) return 'the one-process view is off; start the exporter with --web.ui.process-view to turn it on';
  if (!p.loopback && !p.authConfigured()) {
    return 'the one-process view shows file paths, so on a non-loopback listen address it needs basic auth (basic_auth_users in --web.config.file)';
  }
  return null;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
