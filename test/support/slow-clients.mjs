// Slowloris clients, run as their own process so their sockets do not load the test's event loop:
// keeps up to COUNT connections to 127.0.0.1:PORT, each sending a partial request (7 KB of headers,
// never finished) and one more byte a second; a connection the server closes is opened again after
// REOPEN_MS, as slowloris does in its next round (slowloris.py: every 15 s). Reopening at once would
// make this a connection flood, whose rate only a firewall can bound. Stops after DURATION_MS or
// MAX_CONNECTS connects, then prints its counts as JSON.
import net from 'node:net';

const [port, count, durationMs, maxConnects, reopenMs] = process.argv.slice(2).map(Number);
const HEAD = `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(7000)}`;
const deadline = Date.now() + durationMs;
const open = new Set();
let connects = 0;
let closedByServer = 0;
let peakOpen = 0;

function connect() {
  if (Date.now() >= deadline || connects >= maxConnects) return;
  connects++;
  const s = net.connect(port, '127.0.0.1', () => {
    open.add(s);
    peakOpen = Math.max(peakOpen, open.size);
    s.write(HEAD);
  });
  s.on('error', () => {});
  s.on('close', () => {
    if (open.delete(s)) closedByServer++;
    setTimeout(connect, reopenMs).unref();
  });
}

for (let i = 0; i < count; i++) setTimeout(connect, Math.floor(i / 250) * 20); // 250 every 20 ms
const drip = setInterval(() => {
  for (const s of open) s.write('a');
}, 1000);
setTimeout(() => {
  clearInterval(drip);
  for (const s of open) s.destroy();
  process.stdout.write(JSON.stringify({ connects, closedByServer, peakOpen }) + '\n');
}, durationMs);
