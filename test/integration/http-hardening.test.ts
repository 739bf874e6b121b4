/**
 * The HTTP surface of the built exporter under hostile clients: only the documented routes and
 * methods, errors without stack traces or version banners, `nosniff` on every answer (node's own
 * 400/408/431 included) and a strict CSP on the HTML page, a slowloris client cut off by the header
 * timeout while others are served, and a bounded number of concurrent scrapes.
 */
import net from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../support/exporter-process.js';
import { waitFor } from '../support/wait.js';

let exporter: RunningExporter;

beforeAll(async () => {
  exporter = await startExporter(['--web.max-requests=1'], { firstScanTimeoutMs: 100_000 });
});

afterAll(async () => {
  await exporter?.stop();
});

const BANNER = /express|node|lsof-exporter \d|v\d+\.\d+\.\d+|\n\s+at /i;

/** One raw request on its own connection: what a hand-written or malicious client sends. */
function raw(request: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(exporter.port, '127.0.0.1', () => s.write(request));
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    s.setTimeout(15_000, () => s.destroy());
  });
}

function gzipScrape(): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${exporter.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('routes and methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s on /metrics with 405 and Allow: GET, HEAD', async (method) => {
    const res = await fetch(`${exporter.url}/metrics`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers unknown paths with a bare 404', async () => {
    for (const p of ['/debug/pprof', '/metrics/', '/METRICS', '/healthz/', '/.env']) {
      const res = await fetch(`${exporter.url}${p}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('not found\n');
    }
  });

  it('refuses TRACE and a malformed request line without echoing anything', async () => {
    const trace = await raw('TRACE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Secret: 1\r\n\r\n');
    expect(trace).toMatch(/^HTTP\/1\.1 405/);
    expect(trace).not.toContain('X-Secret');
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('errors', () => {
  it('carry no stack trace, version or server banner', async () => {
    const answers = [
      await raw('GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      await raw('POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc'),
      await raw('GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      await raw(`GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    ];
    for (const a of answers) {
      expect(a).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(a).not.toMatch(/^(server|x-powered-by):/im);
      expect(a).not.toMatch(BANNER);
    }
  });
});

describe('content sniffing and framing', () => {
  const NOSNIFF = /^X-Content-Type-Options: nosniff\r$/im;

  it('says nosniff on every answer, those node writes itself included', async () => {
    const answers = {
      metrics: await raw('GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      healthz: await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      landing: await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      notFound: await raw('GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      badMethod: await raw('DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      badEscape: await raw('GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      garbage: await raw('GARBAGE\r\n\r\n'),
      hugeHeader: await raw(`GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    };
    expect(answers.garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(answers.hugeHeader).toMatch(/^HTTP\/1\.1 431 /);
    for (const [name, answer] of Object.entries(answers)) expect(answer, name).toMatch(NOSNIFF);
  });

  it('serves the HTML page with a CSP that allows no script, style, frame, form or base', async () => {
    const res = await fetch(`${exporter.url}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('slow clients', () => {
  it('closes a connection that sends its headers a byte at a time, and serves others meanwhile', async () => {
    const s = net.connect(exporter.port, '127.0.0.1');
    let closed = false;
    let answer = '';
    s.on('data', (d) => (answer += d.toString('latin1')));
    s.on('close', () => (closed = true));
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    s.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const drip = setInterval(() => !closed && s.write('a'), 500);
    try {
      expect(await gzipScrape()).toBe(200);
      await waitFor(() => closed, 'the server to drop the slow client', 30_000, 250);
    } finally {
      clearInterval(drip);
      s.destroy();
    }
    expect(answer).not.toMatch(/lsof_/);
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
    expect(await gzipScrape()).toBe(200);
  });
});

describe('the connection cap', () => {
  it('lets a scraper in at the cap by evicting the oldest connection that is not being answered', async () => {
    const capped = await startExporter(['--web.max-connections=4'], { firstScanTimeoutMs: 100_000 });
    const slow: { socket: net.Socket; closed: boolean }[] = [];
    try {
      // three slow clients, oldest first, each in the middle of its headers; with a fourth the cap is full
      for (let i = 0; i < 3; i++) {
        const socket = net.connect(capped.port, '127.0.0.1');
        const entry = { socket, closed: false };
        socket.on('close', () => (entry.closed = true));
        socket.on('error', () => {});
        await new Promise((r) => socket.once('connect', r));
        socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: a');
        slow.push(entry);
        await new Promise((r) => setTimeout(r, 50));
      }
      const res = await fetch(`${capped.url}/metrics`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      await res.text();
      await waitFor(() => slow[0]!.closed, 'the oldest slow client to be evicted', 5000, 20);
      expect(slow.map((e) => e.closed)).toEqual([true, false, false]);
      expect(await capped.metrics()).toMatch(/^lsof_exporter_http_connections_dropped_total\{reason="evicted"\} [1-9]/m);
    } finally {
      for (const e of slow) e.socket.destroy();
      await capped.stop();
    }
  });
});

describe('concurrent scrapes', () => {
  it('with --web.max-requests=1 answers a burst with 200 or 503 Retry-After, never anything else', async () => {
    const seen = new Set<number>();
    await waitFor(async () => {
      const statuses = await Promise.all(Array.from({ length: 30 }, gzipScrape));
      statuses.forEach((s) => seen.add(s));
      return seen.has(503) && seen.has(200);
    }, 'a burst that exceeds the bound', 20_000, 10);
    expect([...seen].sort()).toEqual([200, 503]);
    const over = await waitFor(async () => {
      const answers = await Promise.all(Array.from({ length: 30 }, () => fetch(`${exporter.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } })));
      return answers.find((a) => a.status === 503);
    }, 'a 503 to inspect', 20_000, 10);
    expect(over.headers.get('retry-after')).toBe('1');
    expect(await over.text()).toBe('too many concurrent scrapes\n');
    expect(await gzipScrape()).toBe(200);
  });
});
