/** The page's only way to the data: same-origin GETs of /api/v1/ (the CSP allows nothing else). */
// Types only (erased when compiled): the page's modules are served alone, and the shapes are the routes' own.
export type {
  ApiContainer as Container,
  ApiDeletedFile as DeletedFile,
  ApiDescriptor as Descriptor,
  ApiFileHolder as FileHolder,
  ApiFileHolders as FileHolders,
  ApiHolder as Holder,
  ApiListener as Listener,
  ApiProcessDetail as ProcessDetail,
  ApiProcessGroup as ProcessGroup,
  ApiStatus as Status,
  ApiTable as TableResponse,
} from '../../../api/wire.js';

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
