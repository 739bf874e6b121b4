// Container HEALTHCHECK without curl or a shell: GET /healthz, exit 0 on 200, 1 otherwise.
// LSOF_EXPORTER_HEALTHCHECK_URL overrides the address (e.g. another port or https).
const url = process.env.LSOF_EXPORTER_HEALTHCHECK_URL ?? 'http://127.0.0.1:10411/healthz';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exitCode = res.status === 200 ? 0 : 1;
  if (res.status !== 200) console.error(`healthcheck: ${url} answered ${res.status}`);
} catch (err) {
  console.error(`healthcheck: ${url}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
