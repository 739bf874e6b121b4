/** The page's only way to the data: same-origin GETs of /api/v1/ (the CSP allows nothing else). */
export interface TableResponse<T> {
  asOf: string;
  scanDurationSeconds: number;
  exporterStartedAt: string;
  rows: T[];
  truncated: number;
}

export interface Container {
  id: string;
  runtime: string;
  podUid: string;
}

export interface Holder {
  pid: number;
  process: string;
  user: string;
  executable: string;
  fd?: number;
}

export interface Listener {
  protocol: string;
  family: string;
  address: string;
  port: number;
  netns: string;
  container: Container;
  socketUid: number;
  holders: Holder[];
  holderCount: number;
  firstSeenAt: string | null;
  newSinceStart: boolean;
}

export interface DeletedFile {
  path: string;
  device: string;
  inode: string;
  sizeBytes: number;
  allocatedBytes: number | null;
  holders: Holder[];
  holderCount: number;
}

export interface ProcessGroup {
  user: string;
  executable: string;
  processNames: string[];
  netns: string;
  container: Container;
  processCount: number;
  pids: number[];
  fdCount: number;
  fdTypes: Record<string, number>;
  fdLimitRatioMax: number | null;
  fdLimitRatioPid: number | null;
  uninspectable: number;
  executableDeleted: boolean;
  signals?: { signal: string; reason: string }[];
}

export interface Descriptor {
  fd: number;
  type: string;
  target: string;
  deleted: boolean;
  socket: { protocol: string; family: string; localAddress: string; localPort: number; remoteAddress: string; remotePort: number; state: string } | null;
  unixPath: string | null;
}

export interface ProcessDetail {
  pid: number;
  ppid: number;
  nsPids: number[];
  process: string;
  uid: number;
  euid: number;
  user: string;
  executable: string;
  executableDeleted: boolean;
  cwd: string;
  root: string;
  netns: string;
  container: Container;
  fdLimit: number | null;
  fdCount: number;
  descriptors: Descriptor[];
  truncated: number;
  readAt: string;
}

export interface FileHolder {
  pid: number;
  process: string;
  user: string;
  fd: string;
  path: string;
  deleted: boolean;
}

export interface FileHolders {
  rows: FileHolder[];
  truncated: number;
  processesSearched: number;
  processesDenied: number;
  readAt: string;
}

export interface Status {
  processView: { enabled: boolean; reason: string | null };
}

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!res.ok || body === null) throw new ApiFailure(res.status, body?.error ?? `${path} answered ${res.status}`);
  return body;
}
