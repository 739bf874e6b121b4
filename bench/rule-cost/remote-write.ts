/**
 * Puts the last hours of the fleet into Prometheus's head block, where a running Prometheus keeps
 * them and where the alert's recent window is read from: Prometheus's remote-write receiver, fed in
 * time order (the head takes samples up to an hour older than its newest). The request is a
 * protobuf WriteRequest, encoded here (five fields), in a snappy block of literals (valid snappy,
 * not compressed: loopback).
 */
import type { SyntheticSeries } from './fleet.js';

function varint(n: number, out: number[]): void {
  let v = BigInt(n);
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
}

/** A length-delimited protobuf field. */
function field(tag: number, bytes: Uint8Array | number[], out: number[]): void {
  out.push((tag << 3) | 2);
  varint(bytes.length, out);
  for (const b of bytes) out.push(b);
}

function label(name: string, value: string): number[] {
  const out: number[] = [];
  field(1, Buffer.from(name), out);
  field(2, Buffer.from(value), out);
  return out;
}

function sample(value: number, timestampMs: number): number[] {
  const out = [(1 << 3) | 1];
  const double = Buffer.alloc(8);
  double.writeDoubleLE(value);
  out.push(...double, 2 << 3);
  varint(timestampMs, out);
  return out;
}

/** WriteRequest { repeated TimeSeries timeseries = 1 }, TimeSeries { labels = 1, samples = 2 }. */
export function encodeWriteRequest(series: { labels: [string, string][]; timestampsMs: number[] }[]): Buffer {
  const out: number[] = [];
  for (const s of series) {
    const ts: number[] = [];
    for (const [name, value] of s.labels) field(1, label(name, value), ts);
    for (const t of s.timestampsMs) field(2, sample(1, t), ts);
    field(1, ts, out);
  }
  return Buffer.from(out);
}

/** Snappy block format: the uncompressed length, then literals of at most 2^16 bytes. */
export function snappyLiterals(data: Buffer): Buffer {
  const head: number[] = [];
  varint(data.length, head);
  const parts: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < data.length; i += 65_536) {
    const chunk = data.subarray(i, i + 65_536);
    // Tag 61 << 2: a literal whose length - 1 follows in two little-endian bytes.
    parts.push(Buffer.from([61 << 2, (chunk.length - 1) & 0xff, (chunk.length - 1) >> 8]), chunk);
  }
  return Buffer.concat(parts);
}

/** Writes [fromSeconds, toSeconds] of every series, `batchSeconds` at a time, oldest first. */
export async function remoteWriteWindow(url: string, series: SyntheticSeries[], fromSeconds: number, toSeconds: number, batchSeconds = 600): Promise<number> {
  let samples = 0;
  for (let from = fromSeconds; from <= toSeconds; from += batchSeconds) {
    const to = Math.min(from + batchSeconds, toSeconds + 1);
    const batch = series.map((s) => {
      const timestampsMs: number[] = [];
      for (let t = Math.ceil(from / s.everySeconds) * s.everySeconds; t < to; t += s.everySeconds) timestampsMs.push(t * 1000);
      samples += timestampsMs.length;
      return { labels: s.labels, timestampsMs };
    });
    const body = snappyLiterals(encodeWriteRequest(batch.filter((b) => b.timestampsMs.length > 0)));
    const res = await fetch(`${url}/api/v1/write`, {
      method: 'POST',
      headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
      body: new Uint8Array(body),
    });
    if (!res.ok) throw new Error(`remote write of ${from}..${to} failed: ${res.status} ${await res.text()}`);
  }
  return samples;
}
