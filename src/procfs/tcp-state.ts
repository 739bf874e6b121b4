/**
 * The st column of /proc/net/tcp* and udp* (include/net/tcp_states.h), named as `ss` names them.
 * UDP reuses the numbers: an unconnected UDP socket is TCP_CLOSE ("UNCONN"), a connected one ESTABLISHED.
 */
const TCP_STATES: Record<number, string> = {
  0x01: 'ESTAB',
  0x02: 'SYN-SENT',
  0x03: 'SYN-RECV',
  0x04: 'FIN-WAIT-1',
  0x05: 'FIN-WAIT-2',
  0x06: 'TIME-WAIT',
  0x07: 'UNCONN',
  0x08: 'CLOSE-WAIT',
  0x09: 'LAST-ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW-SYN-RECV',
};

export function tcpStateName(state: number): string {
  return TCP_STATES[state] ?? `0x${state.toString(16).toUpperCase()}`;
}
