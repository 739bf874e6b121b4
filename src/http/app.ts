/**
 * The HTTP app (routes only; it does not listen). GET/HEAD on /, the telemetry path and /healthz;
 * anything else is 404 or 405, errors carry no stack trace or version banner, and at most
 * maxConcurrentScrapes renders run at once (the rest get 503 rather than queueing without bound).
 * Every answer says `X-Content-Type-Options: nosniff` (a process name or path in the exposition may
 * carry markup: it must never be sniffed as HTML), and the one HTML page has a CSP that allows nothing
 * but itself: no script, style, frame, form or base.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import type { Exposition } from '../exporters/prometheus.js';
import type { ExporterView } from '../metrics/exporter-view.js';
import { landingPage } from './landing-page.js';

export interface AppOptions {
  telemetryPath: string;
  registry: Exposition;
  view: () => ExporterView;
  /** /healthz fails once the last successful scan is older than this. */
  healthMaxAgeMs: number;
  maxConcurrentScrapes: number;
  /** Optional gate (basic auth) run before every route. */
  authenticate?: (req: Request, res: Response, next: NextFunction) => void;
  /** Extra response headers (web config http_server_config.headers), read per request so reloads apply. */
  headers?: () => Record<string, string>;
  /** --web.ui.enable: GET /ui and the JSON API under /api/v1/ (src/http/ui/router.ts). */
  ui?: express.Router;
}

const ROUTES = new Set(['/', '/healthz']);
/** Answered without credentials even with basic auth on (probes cannot send any); it says only ok or stale. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz']);
const HTML_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  // /metrics/ and /METRICS are not documented routes: 404, like any other path
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  const headers = opts.headers;
  app.use((_req, res, next) => {
    if (headers) res.set(headers());
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  if (opts.authenticate) app.use(opts.authenticate);
  app.use(methodGate(new Set([...ROUTES, opts.telemetryPath])));
  app.get('/', (_req, res) => {
    res.type('html').set({ 'Content-Security-Policy': HTML_CSP, 'X-Frame-Options': 'DENY' }).send(landingPage(opts.telemetryPath, opts.ui !== undefined));
  });
  app.get(opts.telemetryPath, scrapeHandler(opts));
  // ok or stale and nothing else: it is open to anyone who can reach the port (OPEN_PATHS)
  app.get('/healthz', (_req, res) => {
    const last = opts.view().lastSuccessMs;
    const fresh = last !== null && Date.now() - last <= opts.healthMaxAgeMs;
    res.type('text/plain').status(fresh ? 200 : 503).send(fresh ? 'ok\n' : 'stale\n');
  });
  if (opts.ui) app.use(opts.ui);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  // Errors answer with a status and a word, never a stack trace or a version (e.g. a malformed %-escape is 400).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) res.status(status).type('text/plain').send('bad request\n');
    else res.status(500).type('text/plain').send('internal error\n');
  });
  return app;
}

function methodGate(paths: Set<string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!paths.has(req.path)) return next();
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('method not allowed\n');
  };
}

/**
 * A scrape holds its slot until its body is rendered and gzipped (the signals' part once per model,
 * in libuv's thread pool, as Prometheus asks for gzip) and handed to the socket, so the bound covers
 * bodies being built.
 */
function scrapeHandler(opts: AppOptions) {
  let inFlight = 0;
  return async (req: Request, res: Response) => {
    if (inFlight >= opts.maxConcurrentScrapes) {
      res.status(503).set('Retry-After', '1').type('text/plain').send('too many concurrent scrapes\n');
      return;
    }
    inFlight++;
    try {
      res.set('Content-Type', opts.registry.contentType).vary('Accept-Encoding');
      if (req.acceptsEncodings('gzip') === 'gzip') res.set('Content-Encoding', 'gzip').send(await opts.registry.gzipped());
      else res.send(await opts.registry.metrics());
    } catch {
      res.status(500).type('text/plain').send('internal error\n');
    } finally {
      inFlight--;
    }
  };
}
