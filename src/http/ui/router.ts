/**
 * GET /ui and its assets, and the JSON API under /api/v1/, mounted by createApp when
 * --web.ui.enable is on (behind the same basic auth and TLS as /metrics). Everything the page loads
 * comes from this router, and the Content-Security-Policy says so: no inline script or style, no
 * other origin, no frames, no forms posting anywhere.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ApiRoutes } from '../../api/routes.js';
import { loadUiAssets } from './assets.js';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': UI_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

export function createUiRouter(api: ApiRoutes): express.Router {
  const assets = loadUiAssets();
  const router = express.Router({ strict: true, caseSensitive: true });
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (/^\/(ui|api)(\/|$)/.test(req.path)) res.set(SECURITY_HEADERS);
    next();
  });
  router.use(api.router);
  router.all(/^\/ui(\/.*)?$/, (req, res) => {
    const asset = assets.get(req.path);
    if (!asset) return void res.status(404).type('text/plain').send('not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('method not allowed\n');
    res.set('Cache-Control', 'no-cache').type(asset.type).send(asset.body);
  });
  return router;
}
