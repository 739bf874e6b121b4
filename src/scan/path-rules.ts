/**
 * What a path or a process name looks like, as pure predicates over the decoded strings the scan
 * records (ProcessRecord.exe, .cwd, .comm). Shared by the scan (which facts need I/O) and the
 * suspicious-processes signal (which facts make a reason); docs/metrics.md defines each rule.
 */

/**
 * The directories an installed program lives under: packages (/usr, /bin, /sbin, /lib*), vendors'
 * trees (/opt), snaps and flatpaks (/snap, /app inside a flatpak's namespace), and the Nix and Guix
 * stores. /usr/local is under /usr: official container images put node and python there.
 */
export const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib32/', '/lib64/', '/libx32/', '/opt/', '/snap/', '/app/', '/nix/store/', '/gnu/store/'] as const;

/** The directories whose programs a masquerading process names itself after (as in lsof's recipe). */
export const SYSTEM_BIN_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'] as const;

/** The kernel names an executable in a memfd "/memfd:NAME" (and marks it deleted). */
export function isMemfdPath(path: string): boolean {
  return path.startsWith('/memfd:');
}

/** The components of a path: empty ones ("//", a trailing "/") are no components. */
export function pathComponents(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/**
 * A component starting with "." other than "." and ".." themselves (which name the directory and
 * its parent, not a hidden entry). A newline or an escaped invalid byte (\xNN) in a name is part of
 * it: only a literal first character "." hides.
 */
export function isHiddenComponent(component: string): boolean {
  return component.startsWith('.') && component !== '.' && component !== '..';
}

/** Some component of the path is hidden; "" (unreadable) is not. */
export function isHiddenPath(path: string): boolean {
  return pathComponents(path).some(isHiddenComponent);
}

/** Under one of SYSTEM_PREFIXES, compared component by component ("/usrx/" is not "/usr/"). */
export function isSystemPath(path: string): boolean {
  const normal = `/${pathComponents(path).join('/')}`;
  return SYSTEM_PREFIXES.some((p) => normal.startsWith(p));
}

/** "/a/b/c" -> ["/", "/a", "/a/b"]: the directories a file's path goes through, outermost first. */
export function ancestorDirs(path: string): string[] {
  const parts = pathComponents(path).slice(0, -1);
  const dirs = ['/'];
  for (let i = 1; i <= parts.length; i++) dirs.push(`/${parts.slice(0, i).join('/')}`);
  return dirs;
}

/** A name that can be looked up as one directory entry: no "/", not "." or "..", no escaped bytes. */
export function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0');
}

/**
 * Kernel threads' names, as ps shows them without brackets: per-CPU and per-device workers carry a
 * "/" (kworker/0:1, ksoftirqd/3, irq/9-acpi, jbd2/sda1-8), the rest are a short known list. A comm
 * taken from an executable's file name cannot hold "/", so a "/" means the process renamed itself.
 */
const KERNEL_THREAD_NAMES =
  /^(kthreadd|kswapd\d*|kdamond|hwrng|pool_workqueue_release|khugepaged|ksmd|kauditd|kdevtmpfs|oom_reaper|kcompactd\d*|watchdogd|rcu_\w+|ksoftirqd|kworker|migration|cpuhp|idle_inject|kintegrityd|kblockd|kthrotld|kstrp|khungtaskd|kswapd|writeback|netns|mm_percpu_wq|ecryptfs-kthread|kaluad|kmpath_rdacd|ipv6_addrconf|zswap-shrink|card\d+-crtc\d+|scsi_eh_\d+|scsi_tmf_\d+|nvme-wq|xfsaild|btrfs-\w+)$/;

/**
 * The process calls itself like a kernel thread: bracketed ("[kthreadd]", what ps prints for one),
 * holding a "/" (kworker/0:1), or a known kernel thread's name. Only meaningful for a process with
 * an executable: kernel threads have none, and the scan skips them.
 */
export function isKernelThreadName(comm: string): boolean {
  if (comm.length >= 2 && comm.startsWith('[') && comm.endsWith(']')) return true;
  if (comm.includes('/')) return true;
  return KERNEL_THREAD_NAMES.test(comm);
}
