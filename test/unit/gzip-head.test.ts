/**
 * gzip-head.ts: a head compressed once, sync-flushed, followed by a tail compressed per request, must
 * be one gzip member that any inflater reads back byte for byte, its CRC-32 and length checked.
 * zlib's gunzip checks the trailer; Python's gzip module is a second, independent reader here, and
 * the e2e tests' real Prometheus (Go's gzip reader) scrapes it with every sample it stores.
 */
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressHead, gzipWithHead } from '../../src/exporters/gzip-head.js';

const exposition = (series: number) =>
  Array.from({ length: series }, (_, i) => `lsof_listener_processes{port="${i}",process="fl${i % 97}",user="root"} 1\n`).join('');

describe('gzipWithHead', () => {
  it.each([
    ['a large head and a small tail', exposition(20_000), '\n# TYPE lsof_scans_total counter\nlsof_scans_total 3\n'],
    ['an empty head', '', 'lsof_up 1\n'],
    ['an empty tail', exposition(10), ''],
    ['both empty', '', ''],
    ['multi-byte UTF-8 on both sides', 'process="naïve – ✓"\n', 'user="日本"\n'],
  ])('reads back as head + tail: %s', async (_, head, tail) => {
    const body = await gzipWithHead(await compressHead(head), tail);
    expect(zlib.gunzipSync(body).toString('utf8')).toBe(head + tail);
  });

  it('is read by an independent gzip reader (Python), CRC and length checked', async () => {
    const head = exposition(5_000);
    const tail = '\nlsof_up 1\n';
    const body = await gzipWithHead(await compressHead(head), tail);
    const read = execFileSync('python3', ['-c', 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))'], { input: body });
    expect(read.toString('utf8')).toBe(head + tail);
  });

  it('fails the reader when the trailer does not match the data (the CRC is really checked)', async () => {
    const body = await gzipWithHead(await compressHead('abc\n'), 'def\n');
    body.writeUInt8(body.readUInt8(body.length - 8) ^ 0xff, body.length - 8);
    expect(() => zlib.gunzipSync(body)).toThrow(/check/i);
  });

  it('reuses the head: its compressed bytes are the same for every tail, and much smaller than the text', async () => {
    const text = exposition(20_000);
    const head = await compressHead(text);
    const a = await gzipWithHead(head, 'x 1\n');
    const b = await gzipWithHead(head, 'x 2\n');
    expect(a.subarray(10, 10 + head.deflated.length).equals(head.deflated)).toBe(true);
    expect(b.subarray(10, 10 + head.deflated.length).equals(head.deflated)).toBe(true);
    expect(head.deflated.length).toBeLessThan(text.length / 5);
  });
});
