/**
 * An httpGet probe sent as the kubelet sends it: GET, its User-Agent, no credentials, a fresh
 * connection; over HTTPS without verifying the certificate (the kubelet never does for probes); any
 * status from 200 to 399 passes.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpGetProbe {
  path: string;
  scheme?: string;
  httpHeaders?: unknown[];
}

export function kubeletProbe(port: number, httpGet: HttpGetProbe): Promise<{ status: number; passes: boolean }> {
  if (httpGet.httpHeaders !== undefined) throw new Error('a probe with httpHeaders would send credentials in the manifest');
  const scheme = httpGet.scheme ?? 'HTTP';
  if (scheme !== 'HTTP' && scheme !== 'HTTPS') throw new Error(`probe scheme ${scheme} is neither HTTP nor HTTPS`);
  const client = scheme === 'HTTPS' ? https : http;
  const headers = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*', Connection: 'close' };
  return new Promise((resolve, reject) => {
    client
      .get({ host: '127.0.0.1', port, path: httpGet.path, agent: false, headers, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({ status, passes: status >= 200 && status < 400 });
      })
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error('probe timed out'));
      })
      .on('error', reject);
  });
}
