/**
 * GET /api/v1/: the JSON API the page uses and scripts may use (docs/api.md).
 *   status, listeners, deleted-files, processes   from the last scan (the worker's digest)
 *   processes/:pid, files?path=&under=            read live, gated (process-view-gate.ts)
 * Answers are JSON; a refusal is {"error": "..."} with a 4xx (or 503 before the first scan).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ExporterView } from '../metrics/exporter-view.js';
import type { ProcFs } from '../procfs/proc.js';
import type { UserNames } from '../scan/user-names.js';
import { ApiError } from './api-error.js';
import { parseFileQuery } from './file-holders.js';
import type { FileSearch } from './file-search.js';
import { ListenerFirstSeen } from './first-seen.js';
import { parseFlagParam, parsePidParam } from './params.js';
import { readProcessDetail } from './process-detail.js';
import { processViewRefusal, type ProcessViewPolicy } from './process-view-gate.js';
import { deletedFilesTable, listenersTable, processesTable } from './tables.js';
import type { UiSnapshot } from './ui-snapshot.js';
import { fileHoldersAnswer, processDetailAnswer, type ApiStatus } from './wire.js';

export interface ApiOptions {
  view: () => ExporterView;
  processView: ProcessViewPolicy;
  procfs: ProcFs;
  users: UserNames;
  /** Reported as "" (the scan tables do the same). */
  hostNetns: string;
  fileSearch: FileSearch;
  startedAtMs?: number;
}

export interface ApiRoutes {
  router: express.Router;
  /** Feed each completed scan (first-seen times of listeners). */
  onSnapshot: (v: ExporterView) => void;
}

export const API_PATHS = ['/api/v1/status', '/api/v1/listeners', '/api/v1/deleted-files', '/api/v1/processes', '/api/v1/files'];

export function createApiRoutes(opts: ApiOptions): ApiRoutes {
  const startedAtMs = opts.startedAtMs ?? Date.now();
  const firstSeen = new ListenerFirstSeen();
  const router = express.Router({ strict: true, caseSensitive: true });
  const scan = (): UiSnapshot => {
    const ui = opts.view().ui;
    if (!ui) throw new ApiError(503, 'no scan has completed yet');
    return ui;
  };
  const gate = () => {
    const refusal = processViewRefusal(opts.processView);
    if (refusal) throw new ApiError(403, refusal);
  };
  router.get('/api/v1/status', json((): ApiStatus => ({ processView: { enabled: processViewRefusal(opts.processView) === null, reason: processViewRefusal(opts.processView) } })));
  router.get('/api/v1/listeners', json(() => listenersTable(scan(), firstSeen, startedAtMs)));
  router.get('/api/v1/deleted-files', json(() => deletedFilesTable(scan(), startedAtMs)));
  router.get('/api/v1/processes', json(() => processesTable(scan(), startedAtMs)));
  router.get('/api/v1/processes/:pid', json((req) => {
    gate();
    const unixPaths = parseFlagParam(new URL(req.originalUrl, 'http://localhost').searchParams.get('unixPaths'), 'unixPaths');
    return processDetailAnswer(readProcessDetail(opts.procfs, opts.users, parsePidParam(String(req.params.pid)), opts.hostNetns, unixPaths));
  }));
  router.get('/api/v1/files', json(async (req) => {
    gate();
    const params = new URL(req.originalUrl, 'http://localhost').searchParams;
    const query = parseFileQuery(params.get('path'), parseFlagParam(params.get('under'), 'under'));
    const result = await opts.fileSearch(query, opts.view().ui?.openPathIndex);
    return fileHoldersAnswer(result);
  }));
  router.all(/^\/api\/v1\/.*/, (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.status(405).set('Allow', 'GET, HEAD').json({ error: 'method not allowed' });
  });
  router.get(/^\/api\/v1\/.*/, (_req, res) => void res.status(404).json({ error: `no such API path; see ${API_PATHS.join(', ')}` }));
  const onSnapshot = (v: ExporterView) => {
    if (v.ui) firstSeen.observe(v.ui.listeners.rows, v.ui.scanStartedAtMs);
  };
  return { router, onSnapshot };
}

/** A handler whose value (or refusal) becomes the JSON answer. */
function json(produce: (req: Request) => unknown) {
  return async (req: Request, res: Response, _next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    try {
      res.json(await produce(req));
    } catch (err) {
      if (err instanceof ApiError) res.status(err.status).json({ error: err.message });
      else res.status(500).json({ error: 'internal error' });
    }
  };
}
