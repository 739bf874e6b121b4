/**
 * Caps the connections the HTTP server holds, so slow or idle clients can never take the descriptors
 * a scan needs (each connection is a descriptor; at EMFILE a scan fails). Node refuses a connection
 * beyond `server.maxConnections`; below that, every new connection that leaves no slot free evicts the
 * oldest connection that is not being answered: one still sending its headers or in its TLS handshake,
 * or idle between keep-alive requests. So a flood of slow clients cannot lock a scraper out (its request
 * is complete within a round trip of connecting, and it is the newest), and only when every connection
 * is busy being answered is a newcomer refused.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export type DropReason = 'evicted' | 'refused';

interface Entry {
  socket: Socket;
  /** Requests of this connection being answered now. */
  busy: number;
}

export interface ConnectionGuard {
  open: () => number;
}

export function guardConnections(server: http.Server, max: number, onDrop: (reason: DropReason) => void): ConnectionGuard {
  // Insertion order is the order of last activity: the first idle entry is the one idle the longest.
  const entries = new Map<string, Entry>();
  server.maxConnections = max;
  server.on('drop', () => onDrop('refused'));
  server.prependListener('connection', (socket: Socket) => {
    const key = keyOf(socket);
    if (key === null) return; // already closed: node cleans it up
    const entry = { socket, busy: 0 };
    entries.set(key, entry);
    socket.once('close', () => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    if (entries.size >= max && evictOldestIdle(entries, entry)) onDrop('evicted');
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const key = keyOf(req.socket);
    const entry = key === null ? undefined : entries.get(key);
    if (!entry || key === null) return;
    entry.busy++;
    res.once('close', () => {
      entry.busy--;
      if (entries.get(key) !== entry) return;
      entries.delete(key); // re-inserted: now the most recently active
      entries.set(key, entry);
    });
  });
  return { open: () => entries.size };
}

function evictOldestIdle(entries: Map<string, Entry>, spare: Entry): boolean {
  for (const [key, e] of entries) {
    if (e.busy > 0 || e === spare) continue;
    entries.delete(key);
    e.socket.destroy();
    return true;
  }
  return false;
}

/** A TLS connection's request arrives on a TLSSocket over the raw socket; both share the peer's address and port. */
function keyOf(socket: Socket): string | null {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined ? null : `${remoteAddress}|${remotePort}`;
}
