/**
 * The JSON shape of every /api/v1/ answer, in one place (docs/api.md documents them). The routes
 * return these types and the page (src/http/ui/page/api.ts) imports them as types only, so a renamed
 * field breaks the build instead of a column of the page.
 */
import type { FileHolderRow, FileHolders, IndexUse } from './file-holders.js';
import type { DescriptorRow, ProcessDetail } from './process-detail.js';

export type { ApiDeletedFile, ApiListener, ApiProcessGroup, ApiTable } from './tables.js';
export type { UiHolder as ApiHolder } from './ui-snapshot.js';
export type { ContainerInfo as ApiContainer } from '../scan/context.js';
export type { DescriptorRow as ApiDescriptor, FileHolderRow as ApiFileHolder };

/** GET /api/v1/status */
export interface ApiStatus {
  processView: { enabled: boolean; reason: string | null };
}

/** GET /api/v1/processes/:pid: the live read, its time as RFC 3339. */
export type ApiProcessDetail = Omit<ProcessDetail, 'readAtMs'> & { readAt: string };

/** GET /api/v1/files: the index's as-of time as RFC 3339 (`index.asOf`), null without an index. */
export type ApiFileHolders = Omit<FileHolders, 'index'> & { readAt: string; index: ApiIndexUse | null };
export type ApiIndexUse = Omit<IndexUse, 'asOfMs'> & { asOf: string };

/** The routes' conversions into these shapes. */
export function processDetailAnswer({ readAtMs, ...rest }: ProcessDetail): ApiProcessDetail {
  return { ...rest, readAt: new Date(readAtMs).toISOString() };
}

export function fileHoldersAnswer({ index, ...rest }: FileHolders, readAtMs = Date.now()): ApiFileHolders {
  const use = index && (({ asOfMs, ...counts }) => ({ ...counts, asOf: new Date(asOfMs).toISOString() }))(index);
  return { ...rest, readAt: new Date(readAtMs).toISOString(), index: use };
}
