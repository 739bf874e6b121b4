/**
 * Turning bytes the kernel hands us into label-safe strings.
 *
 * /proc reports names and paths as raw bytes: a process may call itself anything, a file name may hold
 * newlines or invalid UTF-8. Prometheus label values must be valid UTF-8, so invalid bytes are written
 * as the four characters `\xNN` (what `ss` and `lsof` print for them) and everything else is kept exactly.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeProcBytes(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeLossless(bytes);
  }
}

/** Decode valid UTF-8 runs, escape each byte that is not part of one. */
function decodeLossless(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = validSequenceLength(bytes, i);
    if (len === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    } else {
      out += Buffer.from(bytes.subarray(i, i + len)).toString('utf8');
      i += len;
    }
  }
  return out;
}

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

/** Length of the well-formed UTF-8 sequence at i, or 0 (RFC 3629 table, no overlongs or surrogates). */
function validSequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const b1 = bytes[i + 1];
  if (b0 >= 0xc2 && b0 <= 0xdf) return isContinuation(b1) ? 2 : 0;
  const b2 = bytes[i + 2];
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (b1 === undefined || !isContinuation(b1) || !isContinuation(b2)) return 0;
    if (b0 === 0xe0 && b1 < 0xa0) return 0;
    if (b0 === 0xed && b1 > 0x9f) return 0;
    return 3;
  }
  const b3 = bytes[i + 3];
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (b1 === undefined || !isContinuation(b1) || !isContinuation(b2) || !isContinuation(b3)) return 0;
    if (b0 === 0xf0 && b1 < 0x90) return 0;
    if (b0 === 0xf4 && b1 > 0x8f) return 0;
    return 4;
  }
  return 0;
}
