/**
 * GET /ui: the page's skeleton. No inline script or style (the Content-Security-Policy forbids them),
 * no data (the page reads /api/v1/ itself), nothing interpolated from the host. Every module is
 * preloaded: without it the browser found them one import level at a time (three round trips).
 */
export function uiHtml(modules: string[]): string {
  const preload = modules.map((m) => `<link rel="modulepreload" href="${m}">\n`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lsof-exporter</title>
<link rel="stylesheet" href="/ui/app.css">
<link rel="icon" href="/ui/icon.svg" type="image/svg+xml">
${preload}<script type="module" src="/ui/js/main.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to the table</a>
<header>
<h1>lsof-exporter</h1>
<nav aria-label="Views"><ul>
<li><a href="#listeners">Listeners</a></li>
<li><a href="#deleted">Deleted files</a></li>
<li><a href="#processes">Processes</a></li>
<li><a href="#files">Who holds a file</a></li>
<li><a href="#process">One process</a></li>
</ul></nav>
<div class="live">
<p id="asof" aria-live="off">Waiting for the first answer…</p>
<button id="pause" type="button" aria-pressed="false">Pause updates</button>
</div>
<p id="error" role="alert" hidden></p>
</header>
<main id="main" tabindex="-1">
<section id="view-listeners" hidden>
<h2>Listeners</h2>
<p class="help">Every listening TCP socket and bound UDP socket, who holds it, in which namespace or container, and since when this exporter has seen it (like <code>ss -ltnup</code>, <code>lsof -i -sTCP:LISTEN</code>).</p>
<div class="slot"></div>
</section>
<section id="view-deleted" hidden>
<h2>Deleted files</h2>
<p class="help">Files deleted while still open: their space is only freed when the last holder closes them (<code>lsof +L1</code>).</p>
<div class="slot"></div>
</section>
<section id="view-processes" hidden>
<h2>Processes</h2>
<p class="help">Processes grouped by user and executable, with their descriptors by type and how close the fullest one is to its open-files limit (<code>lsof -u USER</code>).</p>
<div class="slot"></div>
</section>
<section id="view-files" hidden>
<h2>Who holds a file</h2>
<p class="help">Every process holding a file open, or anything under a folder, as a descriptor, working directory or executable, read live (<code>lsof FILE</code>, <code>lsof +D DIR</code>).</p>
<p id="files-off" class="off" hidden></p>
<form id="files-form" hidden>
<span class="field"><label for="file-path">File or folder</label><input id="file-path" name="path" required autocomplete="off" spellcheck="false" placeholder="/var/log"></span>
<span class="field check"><input id="file-under" type="checkbox" name="under"><label for="file-under">Include everything under it</label></span>
<button type="submit">Search</button>
</form>
<p id="files-summary" role="status"></p>
<div id="files-result" hidden></div>
</section>
<section id="view-process" hidden>
<h2>One process</h2>
<p class="help">Everything one process has open, read live from /proc when asked (<code>lsof -p PID</code>).</p>
<p id="process-off" class="off" hidden></p>
<form id="process-form" hidden>
<span class="field"><label for="pid">Process ID</label><input id="pid" name="pid" inputmode="numeric" pattern="[0-9]+" required autocomplete="off"></span>
<span class="field check"><input id="unix-paths" type="checkbox" name="unixPaths"><label for="unix-paths">Unix socket paths (reads /proc/net/unix: slower on a busy host)</label></span>
<button type="submit">Read</button>
</form>
<div id="process-result" hidden><div id="process-facts"></div></div>
</section>
</main>
<noscript><p>This page needs JavaScript; the same data is at <a href="/api/v1/listeners">/api/v1/listeners</a>.</p></noscript>
</body>
</html>
`;
}
