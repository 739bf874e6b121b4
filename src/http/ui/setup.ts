/** Composition of the page and its API for main.ts: the live reader, the file search, the gate. */
import type express from 'express';
import { createFileSearch } from '../../api/file-search.js';
import { isLoopbackHost } from '../../api/process-view-gate.js';
import { createApiRoutes } from '../../api/routes.js';
import type { Logger } from '../../log.js';
import type { ExporterView } from '../../metrics/exporter-view.js';
import { ProcFs } from '../../procfs/proc.js';
import { UserNames } from '../../scan/user-names.js';
import { hostNetns } from '../../scan/host-netns.js';
import { createUiRouter } from './router.js';

export interface UiSetupOptions {
  procfs: string;
  rootfs: string;
  listenHost: string;
  processView: boolean;
  authConfigured: () => boolean;
  view: () => ExporterView;
  log: Logger;
}

export function setupUi(o: UiSetupOptions): { router: express.Router; onSnapshot: (v: ExporterView) => void } {
  const procfs = ProcFs.at(o.procfs, o.rootfs);
  const loopback = isLoopbackHost(o.listenHost);
  const api = createApiRoutes({
    view: o.view,
    processView: { enabled: o.processView, loopback, authConfigured: o.authConfigured },
    procfs,
    users: new UserNames(procfs),
    hostNetns: hostNetns(procfs),
    fileSearch: createFileSearch(o.procfs, o.rootfs),
  });
  if (o.processView && !loopback && !o.authConfigured()) {
    o.log.warn('--web.ui.process-view is refused (403) until basic_auth_users are set in --web.config.file: the listen address is not loopback');
  }
  return { router: createUiRouter(api), onSnapshot: api.onSnapshot };
}
