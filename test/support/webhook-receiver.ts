/** An HTTP server that records Alertmanager webhook notifications, for end-to-end alert tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

export interface ReceivedAlert extends WebhookAlert {
  /** Date.now() when the notification carrying it arrived. */
  receivedAtMs: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedAlert[];
  stop: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const receivedAtMs = Date.now();
      const payload = JSON.parse(body) as { alerts: WebhookAlert[] };
      for (const a of payload.alerts) received.push({ ...a, receivedAtMs });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
