/**
 * The page's files, all served by the exporter itself: /ui, /ui/app.css and the compiled modules of
 * ./page/ (tsc writes them beside this file's own output). The module list is read once at start, so
 * a request names one of a fixed set, never a path; the source-map comment is dropped (no .map is served).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UI_CSS } from './css.js';
import { uiHtml } from './html.js';

/** Browsers ask for an icon; without one they log a 404 on every load. */
const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b57d0"/><path d="M4 4v8h8" stroke="#fff" stroke-width="2" fill="none"/></svg>\n';

export interface UiAsset {
  type: string;
  body: string;
}

/** The whole page (HTML, CSS and every module), uncompressed; docs and README state it, a test holds it. */
export const UI_SIZE_BUDGET_BYTES = 64 * 1024;

export function loadUiAssets(): Map<string, UiAsset> {
  const assets = new Map<string, UiAsset>([
    ['/ui/app.css', { type: 'text/css; charset=utf-8', body: UI_CSS }],
    ['/ui/icon.svg', { type: 'image/svg+xml', body: ICON_SVG }],
  ]);
  const dir = fileURLToPath(new URL('./page/', import.meta.url));
  for (const name of fs.readdirSync(dir)) {
    if (!/^[a-z-]+\.js$/.test(name)) continue;
    const body = fs.readFileSync(`${dir}${name}`, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
    assets.set(`/ui/js/${name}`, { type: 'text/javascript; charset=utf-8', body });
  }
  const modules = [...assets.keys()].filter((k) => k.startsWith('/ui/js/'));
  assets.set('/ui', { type: 'text/html; charset=utf-8', body: uiHtml(modules) });
  return assets;
}

export function uiSizeBytes(assets: Map<string, UiAsset>): number {
  let n = 0;
  for (const a of assets.values()) n += Buffer.byteLength(a.body);
  return n;
}
