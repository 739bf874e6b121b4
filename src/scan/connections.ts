/**
 * TCP connections (not listeners) of each process, joined by socket inode, counted per (pid, state,
 * direction, port): `inbound` when the local port is one a socket listens on in the same namespace
 * (the connection was accepted), `outbound` otherwise. Inbound keeps the local (listening) port, so a
 * listener's load shows; outbound keeps the remote port (the service it talks to). Counted, not
 * listed: 100k connections of a proxy become a few hundred records.
 */
import type { ConnectionRecord } from './context.js';
import type { LiveProcess } from './descriptors.js';
import type { SocketIndex } from './socket-index.js';

const TCP_LISTEN = 0x0a;

export function collectConnections(live: readonly LiveProcess[], index: SocketIndex): ConnectionRecord[] {
  const listeningPorts = new Set(index.listening.filter(({ socket }) => socket.protocol === 'tcp').map(({ socket, netns }) => `${netns}|${socket.localPort}`));
  const counts = new Map<string, ConnectionRecord>();
  for (const p of live) {
    const inodes = p.fdTable?.socketInodes;
    if (!inodes) continue;
    for (const inode of inodes) {
      const s = index.byInode.get(inode)?.ip;
      if (!s || s.protocol !== 'tcp' || s.state === TCP_LISTEN) continue;
      const inbound = listeningPorts.has(`${p.record.netns}|${s.localPort}`);
      const rec = { pid: p.record.pid, state: s.state, direction: inbound ? ('inbound' as const) : ('outbound' as const), port: inbound ? s.localPort : s.remotePort, count: 0 };
      const key = `${rec.pid}|${rec.state}|${rec.direction}|${rec.port}`;
      const existing = counts.get(key) ?? counts.set(key, rec).get(key)!;
      existing.count++;
    }
  }
  return [...counts.values()];
}
