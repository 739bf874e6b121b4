/**
 * A gzip body whose large, rarely changing head is compressed once and whose small tail is
 * compressed per request. The /metrics head (the signals' families, about 1.3 MB with 20,000
 * listeners) changes once per model, but each scrape used to gzip the whole body again: tens of ms
 * of CPU and a fresh megabyte-sized buffer per scrape, which is what a client scraping in a loop
 * turned into RSS.
 *
 * It works because deflate data is a sequence of blocks: the head's blocks, ended by a sync flush
 * (byte-aligned, none marked final), followed by the tail's own blocks (the last one final) is one
 * valid deflate stream (RFC 1951 3.2.3). The tail makes no back-references into the head, which
 * costs a little compression and nothing else. The gzip trailer's CRC-32 continues from the head's.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export interface CompressedHead {
  /** Raw deflate blocks of the head, sync-flushed: none is final. */
  readonly deflated: Buffer;
  /** CRC-32 of the head's bytes. */
  readonly crc: number;
  /** The head's length in bytes. */
  readonly bytes: number;
}

/** ID1 ID2, CM=deflate, no flags, no mtime, XFL 0, OS=Unix (RFC 1952 2.3). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
const deflateRawAsync = promisify(zlib.deflateRaw);

/** Compressed in libuv's thread pool, as the whole body was: the main thread only waits. */
export async function compressHead(text: string): Promise<CompressedHead> {
  const bytes = Buffer.from(text, 'utf8');
  const deflated = await deflateRawAsync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return { deflated, crc: zlib.crc32(bytes), bytes: bytes.length };
}

/**
 * One gzip member: the head's deflate blocks, then the tail's (a few kB), compressed in the thread
 * pool like the head: a scrape then stays in flight across an event-loop turn, so the bound on
 * concurrent scrapes (--web.max-requests) applies to it as it did when the whole body was gzipped there.
 */
export async function gzipWithHead(head: CompressedHead, tail: string): Promise<Buffer> {
  const bytes = Buffer.from(tail, 'utf8');
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(bytes, head.crc), 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE((head.bytes + bytes.length) % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, head.deflated, await deflateRawAsync(bytes), trailer]);
}
