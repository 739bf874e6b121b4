/**
 * The page's controller: which view is open (from the URL's #fragment, so back/forward and shared
 * links work), refreshing the open table from the latest scan every few seconds unless paused, and
 * the two live reads (one process, open-file search), which run only when asked.
 */
import { ApiFailure, getJson, type DeletedFile, type FileHolders, type Listener, type ProcessDetail, type ProcessGroup, type Status, type TableResponse } from './api.js';
import { enableProcessLinks, placeText } from './cells.js';
import { append, byId, clear, h } from './dom.js';
import { DataTable, fmt, type TableSpec } from './table.js';
import { DELETED, DESCRIPTORS, FILE_HOLDERS, LISTENERS, PROCESSES } from './views.js';

const REFRESH_MS = 5000;

interface ScanView<T> {
  endpoint: string;
  table: DataTable<T>;
}

const scanViews: Record<string, ScanView<never>> = {};
function scanView<T>(name: string, endpoint: string, spec: TableSpec<T>): void {
  const table = new DataTable(spec);
  byId(`view-${name}`).querySelector('.slot')!.appendChild(table.root);
  scanViews[name] = { endpoint, table } as unknown as ScanView<never>;
}

let current = 'listeners';
let paused = false;
let timer: number | undefined;
let status: Status = { processView: { enabled: false, reason: null } };
const descriptors = new DataTable(DESCRIPTORS);
const fileHolders = new DataTable(FILE_HOLDERS);

function showError(message: string): void {
  const box = byId('error');
  box.textContent = message;
  box.hidden = message === '';
}

/** @param ready what must be known before drawing (the status, on the first load) */
async function refresh(ready: Promise<void> = Promise.resolve()): Promise<void> {
  const view = scanViews[current];
  if (!view) return;
  const start = performance.now();
  try {
    const [data] = await Promise.all([getJson<TableResponse<never>>(view.endpoint), ready]);
    const note = data.truncated > 0 ? `${fmt(data.truncated)} more rows were left out by the exporter (each table is capped).` : '';
    view.table.setData(data.rows, note);
    const asOf = new Date(data.asOf);
    const asof = byId('asof');
    clear(asof);
    append(asof, ['Data as of ', h('time', { datetime: data.asOf }, asOf.toLocaleTimeString()), ` (scan took ${data.scanDurationSeconds.toFixed(2)} s)`, paused ? ', updates paused.' : `, updated every ${REFRESH_MS / 1000} s.`]);
    showError('');
    performance.measure(`view:${current}`, { start });
  } catch (err) {
    showError(`Could not load ${current}: ${(err as Error).message}`);
  }
}

function schedule(): void {
  clearTimeout(timer);
  if (paused || !scanViews[current]) return;
  timer = window.setTimeout(() => void refresh().then(schedule), REFRESH_MS);
}

async function loadStatus(pending: Promise<Status>): Promise<void> {
  try {
    status = await pending;
  } catch (err) {
    showError((err as Error).message);
  }
  applyStatus();
}

function route(pendingStatus?: Promise<Status>): void {
  const [name = 'listeners', arg] = location.hash.slice(1).split('/');
  current = byIdOrNull(`view-${name}`) ? name : 'listeners';
  for (const section of document.querySelectorAll<HTMLElement>('main > section')) section.hidden = section.id !== `view-${current}`;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.getAttribute('href') === `#${current}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${byId(`view-${current}`).querySelector('h2')!.textContent} · lsof-exporter`;
  // the live views say when they read /proc themselves; the scan's time would mislead there
  if (!scanViews[current]) byId('asof').textContent = 'Read live from /proc when asked; the tables refresh from the scans.';
  const ready = pendingStatus ? loadStatus(pendingStatus) : Promise.resolve();
  if (current === 'process' && arg) {
    byId<HTMLInputElement>('pid').value = arg;
    void ready.then(() => loadProcess(arg));
  }
  void refresh(ready).then(schedule);
}

function byIdOrNull(id: string): HTMLElement | null {
  return document.getElementById(id);
}

async function loadProcess(pid: string): Promise<void> {
  const out = byId('process-facts');
  clear(out);
  const start = performance.now();
  try {
    const unix = byId<HTMLInputElement>('unix-paths').checked ? '?unixPaths=1' : '';
    const p = await getJson<ProcessDetail>(`/api/v1/processes/${encodeURIComponent(pid)}${unix}`);
    append(out, [facts(p)]);
    descriptors.setData(p.descriptors, p.truncated ? `${fmt(p.truncated)} more descriptors were left out.` : '');
    byId('process-result').hidden = false;
    showError('');
    performance.measure('view:process', { start });
  } catch (err) {
    byId('process-result').hidden = true;
    showError(err instanceof ApiFailure ? `Process ${pid}: ${err.message}` : String(err));
  }
}

function facts(p: ProcessDetail): HTMLElement {
  const rows: [string, string][] = [
    ['PID', p.nsPids.length > 1 ? `${p.pid} (in its own pid namespace: ${p.nsPids.slice(1).join(', ')})` : String(p.pid)],
    ['Parent PID', String(p.ppid)],
    ['Process name', p.process],
    ['User', `${p.user} (uid ${p.uid}, effective ${p.euid})`],
    ['Executable', `${p.executable || '(unreadable)'}${p.executableDeleted ? ' (deleted)' : ''}`],
    ['Working directory', p.cwd || '(unreadable)'],
    ['Root directory', p.root || '(unreadable)'],
    ['Namespace / container', placeText(p.netns, p.container)],
    ['Descriptors', `${fmt(p.fdCount)}${p.fdLimit === null ? '' : ` of a limit of ${fmt(p.fdLimit)}`}`],
    ['Read from /proc at', new Date(p.readAt).toLocaleString()],
  ];
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** Where the descriptors came from: the scan's open-path index (as of its scan) or live reads. */
function indexNote(ix: FileHolders['index']): string {
  if (!ix) return ' Every descriptor was read live.';
  return ` Descriptors through the scan index as of ${new Date(ix.asOf).toLocaleTimeString()} (${fmt(ix.processesIndexed)} processes; ${fmt(ix.processesReadWhole)} read whole): a file opened since then by a process whose descriptor count is unchanged shows after the next scan.`;
}

async function searchFiles(path: string, under: boolean): Promise<void> {
  const result = byId('files-summary');
  result.textContent = 'Searching every process…';
  try {
    const r = await getJson<FileHolders>(`/api/v1/files?path=${encodeURIComponent(path)}&under=${under ? 1 : 0}`);
    fileHolders.setData(r.rows, r.truncated ? `${fmt(r.truncated)} more rows were left out.` : '');
    result.textContent = `${fmt(r.rows.length)} holdings found in ${fmt(r.processesSearched)} processes (read at ${new Date(r.readAt).toLocaleTimeString()})${r.processesDenied ? `; ${fmt(r.processesDenied)} processes could not be read` : ''}.${indexNote(r.index)}`;
    byId('files-result').hidden = false;
    showError('');
  } catch (err) {
    result.textContent = '';
    showError((err as Error).message);
  }
}

function wireForms(): void {
  byId('process-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const pid = byId<HTMLInputElement>('pid').value.trim();
    if (location.hash === `#process/${pid}`) void loadProcess(pid);
    else location.hash = `#process/${pid}`;
  });
  byId('files-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void searchFiles(byId<HTMLInputElement>('file-path').value, byId<HTMLInputElement>('file-under').checked);
  });
  const pause = byId<HTMLButtonElement>('pause');
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume updates' : 'Pause updates';
    if (paused) clearTimeout(timer);
    else void refresh().then(schedule);
  });
}

/** Without the one-process view the process and file forms say why, and pids are plain text. */
function applyStatus(): void {
  enableProcessLinks(status.processView.enabled);
  for (const id of ['process', 'files']) {
    const off = byId(`${id}-off`);
    off.textContent = status.processView.reason ?? '';
    off.hidden = status.processView.enabled;
    byId(`${id}-form`).hidden = !status.processView.enabled;
  }
}

async function start(): Promise<void> {
  scanView<Listener>('listeners', '/api/v1/listeners', LISTENERS);
  scanView<DeletedFile>('deleted', '/api/v1/deleted-files', DELETED);
  scanView<ProcessGroup>('processes', '/api/v1/processes', PROCESSES);
  byId('process-result').appendChild(descriptors.root);
  byId('files-result').appendChild(fileHolders.root);
  wireForms();
  window.addEventListener('hashchange', () => route());
  // the first table loads while the status does; its pids become links when the status says so
  const first = getJson<Status>('/api/v1/status');
  route(first);
}

void start();
