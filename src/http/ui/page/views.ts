/** The columns and filters of each table; the data shapes are the API's (docs/api.md). */
import { h } from './dom.js';
import type { DeletedFile, Descriptor, FileHolder, Listener, ProcessGroup } from './api.js';
import { bytesCell, holdersCell, holdersText, hostPort, pidCell, placeText, placeValues, unique } from './cells.js';
import type { TableSpec } from './table.js';

const holderUsers = (l: { holders: { user: string }[] }) => unique(l.holders.map((x) => x.user));
const holderNames = (l: { holders: { process: string }[] }) => unique(l.holders.map((x) => x.process));

export const LISTENERS: TableSpec<Listener> = {
  id: 'listeners',
  caption: 'Listening sockets',
  exportName: 'listeners',
  columns: [
    { key: 'endpoint', label: 'Address:port', text: (l) => hostPort(l.address, l.port), sort: (l) => l.port, nowrap: true },
    { key: 'protocol', label: 'Protocol', text: (l) => `${l.protocol} ${l.family}` },
    { key: 'process', label: 'Process', text: (l) => holderNames(l).join(', ') },
    { key: 'user', label: 'User', text: (l) => (l.holders.length ? holderUsers(l).join(', ') : `uid ${l.socketUid}`) },
    { key: 'executable', label: 'Executable', text: (l) => unique(l.holders.map((x) => x.executable)).join(', ') },
    { key: 'holders', label: 'Holders', text: (l) => holdersText(l.holders, l.holderCount), sort: (l) => l.holderCount, cell: (l) => holdersCell(l.holders, l.holderCount) },
    { key: 'place', label: 'Namespace / container', text: (l) => placeText(l.netns, l.container) },
    { key: 'firstSeen', label: 'First seen', text: (l) => l.firstSeenAt ?? '', cell: (l) => (l.firstSeenAt ? h('time', { datetime: l.firstSeenAt }, new Date(l.firstSeenAt).toLocaleString()) : '') },
    { key: 'new', label: 'New since start', text: (l) => (l.newSinceStart ? 'new' : ''), cell: (l) => (l.newSinceStart ? h('strong', { class: 'badge-new' }, 'NEW') : '') },
  ],
  filters: [
    { key: 'user', label: 'User', values: (l) => (l.holders.length ? holderUsers(l) : [`uid ${l.socketUid}`]) },
    { key: 'process', label: 'Process', values: holderNames },
    { key: 'port', label: 'Port', values: (l) => [String(l.port)] },
    { key: 'protocol', label: 'Protocol', values: (l) => [l.protocol, `${l.protocol} ${l.family}`] },
    { key: 'place', label: 'Namespace / container', values: (l) => placeValues(l.netns, l.container) },
    { key: 'new', label: 'New since start', values: (l) => [l.newSinceStart ? 'new' : 'there at start'] },
  ],
};

export const DELETED: TableSpec<DeletedFile> = {
  id: 'deleted',
  caption: 'Deleted files still held open',
  exportName: 'deleted-files',
  columns: [
    { key: 'path', label: 'Path', text: (f) => f.path },
    { key: 'size', label: 'Size (bytes)', text: (f) => String(f.sizeBytes), sort: (f) => f.sizeBytes, cell: (f) => bytesCell(f.sizeBytes), numeric: true },
    { key: 'pinned', label: 'Disk pinned (bytes)', text: (f) => (f.allocatedBytes === null ? '' : String(f.allocatedBytes)), sort: (f) => f.allocatedBytes ?? -1, cell: (f) => bytesCell(f.allocatedBytes), numeric: true },
    { key: 'holders', label: 'Holders', text: (f) => holdersText(f.holders, f.holderCount), sort: (f) => f.holderCount, cell: (f) => holdersCell(f.holders, f.holderCount) },
    { key: 'inode', label: 'Device:inode', text: (f) => `${f.device}:${f.inode}` },
  ],
  filters: [
    { key: 'user', label: 'User', values: holderUsers },
    { key: 'process', label: 'Process', values: holderNames },
  ],
};

type FdType = keyof ProcessGroup['fdTypes'];
const SOCKET_TYPES: FdType[] = ['socket_tcp', 'socket_udp', 'socket_unix', 'socket_other'];
const sum = (g: ProcessGroup, types: FdType[]) => types.reduce((n, t) => n + (g.fdTypes[t] ?? 0), 0);
const count = (key: string, label: string, value: (g: ProcessGroup) => number) => ({ key, label, text: (g: ProcessGroup) => String(value(g)), sort: value, numeric: true });

export const PROCESSES: TableSpec<ProcessGroup> = {
  id: 'processes',
  caption: 'Processes by user and executable',
  exportName: 'processes',
  columns: [
    { key: 'user', label: 'User', text: (g) => g.user },
    { key: 'executable', label: 'Executable', text: (g) => `${g.executable || '(unknown)'}${g.executableDeleted ? ' (deleted)' : ''}` },
    { key: 'names', label: 'Process names', text: (g) => g.processNames.join(', ') },
    count('processes', 'Processes', (g) => g.processCount),
    { key: 'pids', label: 'PIDs', text: (g) => g.pids.join(' '), sort: (g) => g.pids[0] ?? 0, cell: (g) => h('span', { class: 'pids' }, ...g.pids.slice(0, 12).flatMap((p) => [pidCell(p), ' ']), g.processCount > 12 ? `and ${g.processCount - 12} more` : '') },
    count('fds', 'Descriptors', (g) => g.fdCount),
    count('files', 'Files', (g) => sum(g, ['file', 'device'])),
    count('tcp', 'TCP', (g) => sum(g, ['socket_tcp'])),
    count('udp', 'UDP', (g) => sum(g, ['socket_udp'])),
    count('unix', 'Unix', (g) => sum(g, ['socket_unix'])),
    count('pipes', 'Pipes', (g) => sum(g, ['pipe'])),
    count('other', 'Other', (g) => g.fdCount - sum(g, ['file', 'device', 'pipe', ...SOCKET_TYPES.slice(0, 3)])),
    {
      key: 'limit',
      label: 'Fd limit used (max)',
      text: (g) => (g.fdLimitRatioMax === null ? '' : `${(g.fdLimitRatioMax * 100).toFixed(1)}%`),
      sort: (g) => g.fdLimitRatioMax ?? -1,
      cell: (g) => (g.fdLimitRatioMax === null ? h('span', { class: 'muted' }, 'unknown') : h('span', {}, `${(g.fdLimitRatioMax * 100).toFixed(1)}% (pid `, pidCell(g.fdLimitRatioPid), ')')),
      numeric: true,
    },
    { key: 'place', label: 'Namespace / container', text: (g) => placeText(g.netns, g.container) },
    { key: 'signals', label: 'Signals', text: (g) => (g.signals ?? []).map((s) => `${s.signal}: ${s.reason}`).join('; '), cell: (g) => (g.signals?.length ? h('ul', {}, ...g.signals.map((s) => h('li', {}, h('strong', {}, s.signal), `: ${s.reason}`))) : h('span', { class: 'muted' }, 'none')) },
  ],
  filters: [
    { key: 'user', label: 'User', values: (g) => [g.user] },
    { key: 'process', label: 'Process', values: (g) => g.processNames },
    { key: 'place', label: 'Namespace / container', values: (g) => placeValues(g.netns, g.container) },
  ],
};

const endpoint = (d: Descriptor, side: 'local' | 'remote') => (d.socket ? hostPort(d.socket[`${side}Address`], d.socket[`${side}Port`]) : '');

export const DESCRIPTORS: TableSpec<Descriptor> = {
  id: 'descriptors',
  caption: 'Open descriptors',
  exportName: 'descriptors',
  columns: [
    { key: 'fd', label: 'FD', text: (d) => String(d.fd), sort: (d) => d.fd, numeric: true },
    { key: 'type', label: 'Type', text: (d) => d.type },
    { key: 'target', label: 'Target', text: (d) => `${d.unixPath ? `${d.target} ${d.unixPath}` : d.target}${d.deleted ? ' (deleted)' : ''}` },
    { key: 'local', label: 'Local address', text: (d) => endpoint(d, 'local'), nowrap: true },
    { key: 'remote', label: 'Remote address', text: (d) => endpoint(d, 'remote'), nowrap: true },
    { key: 'state', label: 'State', text: (d) => d.socket?.state ?? '' },
  ],
  filters: [
    { key: 'type', label: 'Type', values: (d) => [d.type] },
    { key: 'state', label: 'State', values: (d) => (d.socket ? [d.socket.state] : []) },
    { key: 'port', label: 'Port', values: (d) => (d.socket ? unique([String(d.socket.localPort), String(d.socket.remotePort)]) : []) },
  ],
};

export const FILE_HOLDERS: TableSpec<FileHolder> = {
  id: 'files',
  caption: 'Processes holding the file',
  exportName: 'open-files',
  columns: [
    { key: 'pid', label: 'PID', text: (r) => String(r.pid), sort: (r) => r.pid, cell: (r) => pidCell(r.pid), numeric: true },
    { key: 'process', label: 'Process', text: (r) => r.process },
    { key: 'user', label: 'User', text: (r) => r.user },
    { key: 'fd', label: 'FD', text: (r) => r.fd },
    { key: 'path', label: 'Path', text: (r) => `${r.path}` },
  ],
  filters: [
    { key: 'user', label: 'User', values: (r) => [r.user] },
    { key: 'process', label: 'Process', values: (r) => [r.process] },
  ],
};
