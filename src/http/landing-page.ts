/** GET /: what an operator sees when they open the exporter in a browser. */
import { VERSION } from '../version.js';

export function landingPage(telemetryPath: string, ui = false): string {
  const path = escapeHtml(telemetryPath);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lsof-exporter</title></head>
<body>
<h1>lsof-exporter</h1>
<p>Listeners, open descriptors and deleted-but-open files of this host, from /proc.</p>
<ul>
<li><a href="${path}">Metrics</a></li>
<li><a href="/healthz">Health</a></li>${ui ? '\n<li><a href="/ui">Host page: listeners, deleted files, processes</a></li>' : ''}
</ul>
<p><small>version ${escapeHtml(VERSION)}</small></p>
</body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
