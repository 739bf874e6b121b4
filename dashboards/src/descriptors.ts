/**
 * Descriptors and deleted files: who holds how many descriptors and of what kind, who is near the
 * fd limit, which deleted files still pin disk space, what memory memfds pin, which processes run deleted executables or
 * look suspicious, and who holds the watched paths (--watch.path) open.
 */
import { metric } from '../../src/metrics/names.js';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { baseDashboard, finish } from './dashboard.js';
import { barsPanel, instantQuery, instantTableQuery, organizeColumns, rangeQuery, stackedPanel, tablePanel, thresholds, timeseriesPanel } from './panels.js';
import { select } from './promql.js';

export const DESCRIPTOR_QUERIES = {
  byUser: `sum by (user) (${select(metric('open_fds'))})`,
  byType: `sum by (type) (${select(metric('open_fds'))})`,
  topProcesses: `topk(10, sum by (instance, user, process) (${select(metric('open_fds'))}))`,
  topLimitUtilization: `topk(10, max by (instance, user, process) (${select(metric('fd_limit_utilization_max_ratio'))}))`,
  deletedBytesByUser: `sum by (user) (${select(metric('deleted_open_bytes'))}) > 0`,
  deletedBytesByProcess: `sum by (instance, user, process) (${select(metric('deleted_open_bytes'))}) > 0`,
  memfdBytesByProcess: `sum by (instance, user, process) (${select(metric('memfd_open_bytes'))}) > 0`,
  largestDeletedFiles: `topk(50, ${select(metric('deleted_open_file_size_bytes'))})`,
  deletedExecutables: `sum by (instance, user, process, executable) (${select(metric('deleted_executable_processes'))}) > 0`,
  watchedPathHolders: `sum by (instance, path, user, process) (${select(metric('watched_path_descriptors'))}) > 0`,
  watchedPathProcesses: `sum by (instance, path) (${select(metric('watched_path_processes'))})`,
  suspiciousProcesses: `sum by (instance, user, process, executable, reason) (${select(metric('suspicious_processes'))}) > 0`,
};

const PROCESS_LEGEND = '{{process}} ({{user}}) on {{instance}}';

function descriptorPanels() {
  return [
    stackedPanel(
      {
        title: 'Descriptors by user',
        what: 'Open file descriptors of the selected hosts, by the user of the processes holding them.',
        healthy: 'steady, following the load; a user that climbs without bound leaks descriptors.',
      },
      'none',
      rangeQuery(DESCRIPTOR_QUERIES.byUser, '{{user}}'),
    ),
    stackedPanel(
      {
        title: 'Descriptors by type',
        what: 'Open file descriptors by what they point at: files, devices, TCP/UDP/unix and other sockets, pipes, anon inodes (eventfd, epoll, inotify, timerfd, signalfd).',
        healthy: 'steady; a growing socket or pipe count is a connection or pipe leak.',
      },
      'none',
      rangeQuery(DESCRIPTOR_QUERIES.byType, '{{type}}'),
    ),
    barsPanel(
      {
        title: 'Top processes by descriptors',
        what: 'The 10 process groups (user and process name) holding the most descriptors at the end of the range.',
        healthy: 'the host’s busy services (databases, proxies), at values you recognise.',
      },
      'none',
      instantQuery(DESCRIPTOR_QUERIES.topProcesses, PROCESS_LEGEND),
    ),
    barsPanel(
      {
        title: 'Top processes by fd-limit utilisation',
        what: 'The 10 process groups closest to their soft RLIMIT_NOFILE: the highest open descriptors / limit among their processes.',
        healthy: 'below 70%; at 100% accept() and open() fail with EMFILE.',
        alerts: ['LsofFdLimitNear'],
      },
      'percentunit',
      instantQuery(DESCRIPTOR_QUERIES.topLimitUtilization, PROCESS_LEGEND),
    )
      .max(1)
      .thresholds(thresholds(0.7, 0.9)),
  ];
}

function deletedFilePanels() {
  return [
    timeseriesPanel(
      {
        title: 'Deleted-but-open bytes by user',
        what: 'Disk space pinned by files that were deleted while a process still holds them open (what lsof +L1 lists), by user; each file counted once.',
        healthy: 'near zero, or short spikes while logs rotate; a steady climb is a process writing to a deleted file.',
        alerts: ['LsofDeletedFilesPinningSpace'],
      },
      'bytes',
      rangeQuery(DESCRIPTOR_QUERIES.deletedBytesByUser, '{{user}}'),
    ),
    timeseriesPanel(
      {
        title: 'Deleted-but-open bytes by process',
        what: 'The same space by process group: restart or signal the process (log reopen) to return it.',
        healthy: 'near zero; df and du agree again once the holder closes the file.',
        alerts: ['LsofDeletedFilesPinningSpace'],
      },
      'bytes',
      rangeQuery(DESCRIPTOR_QUERIES.deletedBytesByProcess, PROCESS_LEGEND),
    ),
    timeseriesPanel(
      {
        title: 'Memory pinned by memfds, by process',
        what: 'Memory held by open memfds (memfd_create: anonymous memory with a descriptor, on no disk), by process group: allocated pages, each memfd once under its lowest-pid holder. Never in the deleted-file panels, whatever the memfd is named.',
        healthy: 'small and steady: compositors, audio servers, browsers and systemd share buffers this way. A service account, or memory that climbs, can be a payload staged in memory.',
      },
      'bytes',
      rangeQuery(DESCRIPTOR_QUERIES.memfdBytesByProcess, PROCESS_LEGEND),
    ),
    tablePanel(
      {
        title: 'Largest deleted-but-open files',
        what: 'The largest deleted files still held open, at the end of the range: path before deletion, lowest-pid holder, device and inode (bounded by --deleted.top per host).',
        healthy: 'empty, or files you can account for (rotated logs awaiting a reopen, temporary files of a database).',
        alerts: ['LsofDeletedFilesPinningSpace'],
      },
      instantTableQuery(DESCRIPTOR_QUERIES.largestDeletedFiles),
    )
      .withTransformation(
        organizeColumns({
          show: [
            ['instance', 'Instance'],
            ['path', 'Path'],
            ['user', 'User'],
            ['process', 'Process'],
            ['pid', 'PID'],
            ['device', 'Device'],
            ['inode', 'Inode'],
            ['Value', 'Size'],
          ],
          hide: ['Time', 'job', '__name__'],
        }),
      )
      .overrideByName('Size', [{ id: 'unit', value: 'bytes' }])
      .sortBy([new common.TableSortByFieldStateBuilder().displayName('Size').desc(true)]),
    tablePanel(
      {
        title: 'Processes running deleted executables',
        what: 'Processes whose executable file has been deleted (link count 0 confirmed), including memfd executables (/memfd:...).',
        healthy: 'empty, or briefly after a package upgrade until the service restarts; otherwise a classic sign of malware that deleted itself.',
        alerts: ['LsofDeletedExecutableRunning'],
      },
      instantTableQuery(DESCRIPTOR_QUERIES.deletedExecutables),
    ).withTransformation(
      organizeColumns({
        show: [
          ['instance', 'Instance'],
          ['executable', 'Executable'],
          ['user', 'User'],
          ['process', 'Process'],
          ['Value', 'Processes'],
        ],
        hide: ['Time', 'job'],
      }),
    ),
    suspiciousPanel(),
  ];
}

/** Empty unless the exporter runs with --watch.path. */
function watchedPathPanels() {
  return [
    tablePanel(
      {
        title: 'Holders of watched paths',
        what: 'Who holds each watched path (--watch.path: a file, or everything below a directory) open at the end of the range, by user and process, with their descriptors (lsof FILE, lsof +D DIR). A deleted file still held counts under the path it had.',
        healthy: 'the services that own those paths (the web server under its document root); another account, or a process name you do not run, is worth a look.',
      },
      instantTableQuery(DESCRIPTOR_QUERIES.watchedPathHolders),
    )
      .withTransformation(
        organizeColumns({
          show: [
            ['instance', 'Instance'],
            ['path', 'Watched path'],
            ['user', 'User'],
            ['process', 'Process'],
            ['Value', 'Descriptors'],
          ],
          hide: ['Time', 'job'],
        }),
      )
      .sortBy([new common.TableSortByFieldStateBuilder().displayName('Descriptors').desc(true)]),
    timeseriesPanel(
      {
        title: 'Processes holding watched paths',
        what: 'How many processes hold a descriptor on each watched path: what keeps a mount point busy (umount: target is busy), who holds /etc/shadow.',
        healthy: 'steady at the services you expect; a watched mount point at 0 before an unmount.',
      },
      'none',
      rangeQuery(DESCRIPTOR_QUERIES.watchedPathProcesses, '{{path}} on {{instance}}'),
    ),
  ];
}

/** lsof_suspicious_processes: one row per process group and reason (docs/metrics.md defines them). */
function suspiciousPanel() {
  return tablePanel(
    {
      title: 'Suspicious processes',
      what: 'Processes running from a hidden or world-writable directory, working in a hidden one, running a deleted or memfd executable, named like a kernel thread, or named like a system program while running something else; by reason.',
      healthy: 'empty on a server; on a desktop, a person\'s own toolchains (~/.nvm, ~/.cargo) and AppImages. A service account here is an intrusion until proven otherwise.',
      alerts: ['LsofHiddenExecutable', 'LsofHiddenWorkingDirectory', 'LsofWorldWritableExecutable', 'LsofMemfdExecutable', 'LsofKernelThreadNameImpersonation', 'LsofMasqueradingProcessName'],
    },
    instantTableQuery(DESCRIPTOR_QUERIES.suspiciousProcesses),
  ).withTransformation(
    organizeColumns({
      show: [
        ['instance', 'Instance'],
        ['reason', 'Reason'],
        ['user', 'User'],
        ['process', 'Process'],
        ['executable', 'Executable'],
        ['Value', 'Processes'],
      ],
      hide: ['Time', 'job'],
    }),
  );
}

export function descriptorsDashboard(): Dashboard {
  let builder = baseDashboard(
    'lsof-descriptors',
    'lsof-exporter / Descriptors and deleted files',
    'Descriptors by user, type and process, fd-limit headroom, deleted-but-open files, deleted executables, suspicious processes and holders of watched paths.',
  );
  for (const panel of [...descriptorPanels(), ...deletedFilePanels(), ...watchedPathPanels()]) builder = builder.withPanel(panel);
  return finish(builder);
}
