// Container HEALTHCHECK without curl or a shell: GET /healthz, exit 0 on 200, 1 otherwise.
// LSOF_EXPORTER_HEALTHCHECK_URL overrides the address (e.g. another port, or https:// when the web
// config turns TLS on). /healthz needs no credentials, even with basic auth on, and says only ok or
// stale. Over https the certificate is not verified: the script asks the exporter in its own container
// on loopback and sends nothing secret, and the certificate is made for the names scrapers use, not
// 127.0.0.1. A web config that requires client certificates leaves no probe that can pass the handshake:
// drop the HEALTHCHECK there (docker run --no-healthcheck).
import http from 'node:http';
import https from 'node:https';

const url = new URL(process.env.LSOF_EXPORTER_HEALTHCHECK_URL ?? 'http://127.0.0.1:10411/healthz');
const client = url.protocol === 'https:' ? https : http;

function fail(message) {
  console.error(`healthcheck: ${url}: ${message}`);
  process.exitCode = 1;
}

const req = client.get(url, { rejectUnauthorized: false, timeout: 4000, agent: false }, (res) => {
  res.resume();
  if (res.statusCode === 200) process.exitCode = 0;
  else fail(`answered ${res.statusCode}`);
});
req.on('timeout', () => req.destroy(new Error('no answer within 4s')));
req.on('error', (err) => fail(err.message));
